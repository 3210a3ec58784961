"""The checks behind deploy/docker/check.sh: the Dockerfile and the compose file are
verified against the repository, the build tree and the Debian packages of this machine
(the image's base is the same Debian release), so a broken image or compose file fails in
CI although no Docker engine runs there."""

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

SKIPPED = 77


def dockerfile_instructions(text):
    """(instruction, arguments) per logical line: continuations joined, comments dropped."""
    logical, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    if pending:
        logical.append(pending)
    result = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        result.append((keyword.upper(), arguments.strip()))
    return result


def substitute(value, variables):
    return re.sub(r"\$\{?(\w+)\}?", lambda m: variables.get(m.group(1), m.group(0)), value)


def split_stages(instructions):
    """Global ARG defaults and the stages as (name, image, instructions)."""
    global_args, stages = {}, []
    for keyword, arguments in instructions:
        if keyword == "FROM":
            words = [w for w in arguments.split() if not w.startswith("--")]
            image = substitute(words[0], global_args)
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append((name, image, []))
        elif not stages and keyword == "ARG":
            key, _, default = arguments.partition("=")
            global_args[key] = default
        elif stages:
            stages[-1][2].append((keyword, arguments))
    return stages


def image_pinned(image):
    """A tag other than latest, or a digest."""
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return False
    tag = last.split(":", 1)[1]
    return tag != "latest" and not tag.startswith("latest-") and "$" not in tag


def check_dockerfile(repo, path, problems):
    text = open(path, encoding="utf-8").read()
    stages = split_stages(dockerfile_instructions(text))
    if not stages:
        problems.append(f"{path}: no FROM")
        return [], []
    stage_names = {name for name, _, _ in stages if name}
    for _, image, _ in stages:
        if image not in stage_names and not image_pinned(image):
            problems.append(f"{path}: FROM {image} is not pinned (needs a version tag, not latest)")

    final_name, _, final = stages[-1]
    users = [arguments for keyword, arguments in final if keyword == "USER"]
    if not users:
        problems.append(f"{path}: the runtime stage sets no USER (it would run as root)")
    elif users[-1].split(":")[0] in ("root", "0"):
        problems.append(f"{path}: the runtime stage runs as {users[-1]}")
    healthchecks = [arguments for keyword, arguments in final if keyword == "HEALTHCHECK"]
    if not healthchecks or healthchecks[-1].upper().startswith("NONE"):
        problems.append(f"{path}: the runtime stage has no HEALTHCHECK")

    for _, _, body in stages:
        for keyword, arguments in body:
            if keyword not in ("COPY", "ADD"):
                continue
            words = shlex.split(arguments)
            if any(w.startswith("--from") for w in words):
                continue
            sources = [w for w in words if not w.startswith("--")][:-1]
            for source in sources:
                if not os.path.exists(os.path.join(repo, source)):
                    problems.append(f"{path}: {keyword} {source}: no such file in the repository")

    # The binaries the build stage installs, as paths relative to the build tree, and the
    # packages the runtime stage installs.
    shipped = []
    for _, _, body in stages[:-1]:
        for keyword, arguments in body:
            if keyword == "RUN":
                shipped += re.findall(r"/build/(\S+/custflow[\w-]*)", arguments)
    packages = []
    for keyword, arguments in final:
        if keyword != "RUN":
            continue
        for command in re.split(r"&&|;", arguments):
            words = command.split()
            if "apt-get" in words and "install" in words:
                after = words[words.index("install") + 1:]
                packages += [w for w in after if not w.startswith("-")]
    if not shipped:
        problems.append(f"{path}: found no binaries installed from /build/ in the build stage")
    if not packages:
        problems.append(f"{path}: the runtime stage installs no packages with apt-get install")
    return sorted(set(shipped)), sorted(set(packages))


def library_owners(library_paths):
    """{library path: the Debian package shipping it}, by one dpkg -S call (usrmerge: the
    database may list a file under /lib or /usr/lib, so both spellings are asked)."""
    spellings = {}
    for path in library_paths:
        for candidate in (path, os.path.realpath(path)):
            spellings.setdefault(candidate, path)
            if candidate.startswith("/usr/lib/"):
                spellings.setdefault(candidate[len("/usr"):], path)
            elif candidate.startswith("/lib/"):
                spellings.setdefault("/usr" + candidate, path)
    found = subprocess.run(["dpkg", "-S"] + sorted(spellings), capture_output=True, text=True)
    owners = {}
    for line in found.stdout.splitlines():
        package, _, file = line.partition(": ")
        if file in spellings:
            owners.setdefault(spellings[file], package.split(",")[0].split(":")[0].strip())
    return owners


def installed_dependencies():
    """{package: packages it depends on} over every installed package, alternatives
    included (whichever apt picks, it is one of them)."""
    listing = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package}\t${Depends}, ${Pre-Depends}\n"],
        capture_output=True, text=True, check=True).stdout
    dependencies = {}
    for line in listing.splitlines():
        package, _, depends = line.partition("\t")
        names = []
        for clause in depends.split(","):
            for alternative in clause.split("|"):
                name = alternative.strip().split(" ")[0].split(":")[0]
                if name:
                    names.append(name)
        dependencies[package] = names
    return dependencies


_dependencies = None


def installed_depends(package):
    global _dependencies
    if _dependencies is None:
        _dependencies = installed_dependencies()
    return _dependencies.get(package, [])


def closure(roots):
    seen, queue = set(), list(roots)
    while queue:
        package = queue.pop()
        if package in seen:
            continue
        seen.add(package)
        queue += installed_depends(package)
    return seen


def base_image_packages():
    """What a Debian slim image holds: the Essential packages, apt, and their dependencies."""
    listing = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Essential}\n"],
                             capture_output=True, text=True, check=True).stdout
    essential = [line.split()[0] for line in listing.splitlines() if line.endswith(" yes")]
    return closure(essential + ["apt"])


def needed_sonames(binary):
    dynamic = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True).stdout
    return set(re.findall(r"\(NEEDED\).*\[(.+)\]", dynamic))


def check_libraries(build_dir, shipped, packages, problems):
    """Every library a shipped binary loads must come from a package the runtime stage
    installs: libraries the binary names itself from a listed package (or the base image),
    the libraries those pull in from the packages apt installs along with them."""
    missing_binaries = [b for b in shipped if not os.access(os.path.join(build_dir, b), os.X_OK)]
    if missing_binaries:
        return missing_binaries
    base = base_image_packages()
    listed = set(packages)
    installed_with = closure(listed | base)
    loaded = []
    for relative in shipped:
        binary = os.path.join(build_dir, relative)
        direct = needed_sonames(binary)
        ldd = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
        for line in ldd.splitlines():
            match = re.match(r"\s*(\S+) => (\S+)", line)
            if match:
                loaded.append((relative, match.group(1), match.group(2), match.group(1) in direct))
    owners = library_owners({library for _, _, library, _ in loaded if library != "not"})
    for relative, soname, library, is_direct in loaded:
        package = owners.get(library)
        if library == "not":
            problems.append(f"{relative}: {soname} not found by ldd on this machine")
        elif package is None:
            problems.append(f"{relative}: {library} belongs to no Debian package "
                            f"(built locally? the image cannot have it)")
        elif is_direct and package not in listed and package not in base:
            problems.append(f"{relative}: needs {soname} from package {package}, which the "
                            f"runtime stage does not install")
        elif package not in installed_with:
            problems.append(f"{relative}: loads {soname} from package {package}, which no "
                            f"runtime package pulls in")
    return []


def check_compose(repo, compose_file, problems):
    rendered = subprocess.run(["docker-compose", "-f", compose_file, "config"],
                              capture_output=True, text=True,
                              env=dict(os.environ, COMPOSE_INTERACTIVE_NO_CLI="1"))
    if rendered.returncode != 0:
        problems.append(f"{compose_file}: docker-compose config failed: "
                        f"{rendered.stderr.strip() or rendered.stdout.strip()}")
        return
    # The variable rules (a real setting of the service the container runs; no address left
    # at a loopback default) are the Kubernetes check's, applied to the rendered file.
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="compose-") as copy:
        copy.write(rendered.stdout)
        copy.flush()
        checked = subprocess.run(["node", os.path.join(repo, "deploy", "k8s-check", "validate.mjs"), copy.name],
                                 capture_output=True, text=True)
    lines = [line.replace(copy.name, compose_file) for line in checked.stdout.splitlines() if line]
    if checked.returncode != 0 and not lines:
        lines = [f"{compose_file}: the variable check failed: {checked.stderr.strip()}"]
    problems.extend(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", required=True)
    parser.add_argument("--build-dir", required=True)
    arguments = parser.parse_args()
    repo = arguments.repo
    problems = []
    dockerfile = os.path.join(repo, "deploy", "docker", "Dockerfile")
    shipped, packages = check_dockerfile(repo, dockerfile, problems)
    missing = check_libraries(arguments.build_dir, shipped, packages, problems)
    check_compose(repo, os.path.join(repo, "deploy", "compose", "compose.yaml"), problems)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    if missing:
        print(f"skipped the library check: not built in {arguments.build_dir}: "
              + ", ".join(missing))
        return SKIPPED
    print(f"image check clean: {len(shipped)} binaries, {len(packages)} runtime packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
