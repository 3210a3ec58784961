"""Fails when a custflow_* metric is used or exported but not described in
docs/OBSERVABILITY.md (ctest: observability_metrics_documented):
  - every metric the Grafana dashboard queries (k8s/base/observability/grafana-dashboard.json),
  - every metric a PrometheusRule under k8s/base/ uses,
  - every metric the code registers: the whole string literals "custflow_<name>" in the
    non-test sources under libs/ and services/ (names reach GetCounter/GetGauge/GetHistogram
    directly or through constants and name structs, so the literal is what is searched).
Histogram series (_bucket, _sum, _count) count as their histogram.

  python3 deploy/docker/metrics_documented.py [REPO]
"""

import os
import re
import sys

NAME = re.compile(r"\bcustflow_[a-z0-9_]*[a-z0-9]\b")
LITERAL = re.compile(r'"(custflow_[a-z0-9_]*[a-z0-9])"')
SERIES_SUFFIX = re.compile(r"_(bucket|sum|count)$")


def is_test_source(path):
    parts = path.split(os.sep)
    return "tests" in parts or "test" in parts or re.search(r"_test\.(cc|h)$", path)


def registered_in_code(repo):
    found = {}
    for top in ("libs", "services"):
        for directory, _, files in os.walk(os.path.join(repo, top)):
            for file in files:
                path = os.path.join(directory, file)
                if not file.endswith((".cc", ".h")) or is_test_source(os.path.relpath(path, repo)):
                    continue
                for name in LITERAL.findall(open(path, encoding="utf-8", errors="replace").read()):
                    found.setdefault(name, os.path.relpath(path, repo))
    return found


def used_in_k8s(repo):
    found = {}
    dashboard = os.path.join(repo, "k8s", "base", "observability", "grafana-dashboard.json")
    if os.path.exists(dashboard):
        for name in NAME.findall(open(dashboard, encoding="utf-8").read()):
            found.setdefault(name, os.path.relpath(dashboard, repo))
    for directory, _, files in os.walk(os.path.join(repo, "k8s", "base")):
        for file in files:
            path = os.path.join(directory, file)
            if not file.endswith((".yaml", ".yml")):
                continue
            text = open(path, encoding="utf-8").read()
            if not re.search(r"^kind:\s*PrometheusRule\b", text, re.MULTILINE):
                continue
            for name in NAME.findall(text):
                found.setdefault(name, os.path.relpath(path, repo))
    return found


def main():
    repo = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    docs_path = os.path.join(repo, "docs", "OBSERVABILITY.md")
    documented = set(NAME.findall(open(docs_path, encoding="utf-8").read()))
    used = {**used_in_k8s(repo), **registered_in_code(repo)}
    if not used:
        print("found no custflow_* metric in the code or k8s/base: the search is broken")
        return 1
    missing = []
    for name, where in sorted(used.items()):
        base = SERIES_SUFFIX.sub("", name)
        if name not in documented and base not in documented:
            missing.append(f"{name} (used in {where}) is not listed in docs/OBSERVABILITY.md")
    for line in missing:
        print(line)
    if missing:
        return 1
    print(f"all {len(used)} custflow_* metrics of the code, the dashboard and the alert rules are documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
