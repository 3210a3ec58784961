# Expected customer-analysis results, computed from the same generated data the analysis
# test stores in ClickHouse, without any of the service's code: the independent side of
# services/reporting/tests/analysis_integration_test.cc. Definitions are those of docs/REPORTS.md
# ("Analysis").
#
#   awk -v from=SECONDS -v to=SECONDS -f civil_date.awk -f analysis_expected.awk profiles.tsv interactions.tsv
#
# profiles.tsv (latest version of each customer):
#   customer_id  name  customer_type  owner  department  province  industry
#   cumulative_amount_minor  order_count  interaction_count  merged (0/1)
# interactions.tsv:
#   customer_id  type  occurred_at (Unix seconds)  amount_minor  satisfaction (0 = none)
#   agent  case_id  category  product
#
# Three scopes: "profiles" (latest profiles, no period), "period" (interactions in
# [from, to)) and "filtered" (as period, for customer types closed and lost, provinces
# 广东省 and 浙江省 and department 一部). Output lines: key fields, then the value, tab-separated.
BEGIN {
  FS = OFS = "\t"
  split("cumulative_amount order_count interaction_count average_satisfaction", measure_names, " ")
  split("profiles period filtered", scope_names, " ")
}

# A Unix time's day, "YYYY-MM-DD".
function day_of(t) { return civil(int(t / 86400)) }

function ceiling(x,    k) {
  k = int(x)
  return k < x ? k + 1 : k
}

function number(x) { return sprintf("%.17g", x) }

# Sorts values[1..n] ascending (insertion sort: the test's data is small).
function sort_ascending(values, n,    i, j, v) {
  for (i = 2; i <= n; i++) {
    v = values[i]
    for (j = i - 1; j >= 1 && values[j] > v; j--) values[j + 1] = values[j]
    values[j + 1] = v
  }
}

# Whether customer a ranks before b: by average satisfaction (highest first when
# `highest`), then by customer id.
function ranks_before(a, b, highest, averages) {
  if (averages[a] != averages[b]) return highest ? averages[a] > averages[b] : averages[a] < averages[b]
  return a < b
}

function sort_customers(ids, n, highest, averages,    i, j, v) {
  for (i = 2; i <= n; i++) {
    v = ids[i]
    for (j = i - 1; j >= 1 && ranks_before(v, ids[j], highest, averages); j--) ids[j + 1] = ids[j]
    ids[j + 1] = v
  }
}

function in_scope(scope, c) {
  if (!(c in profile_type) || merged[c]) return 0
  if (scope == "profiles") return 1
  if (!((scope, c) in period_interactions)) return 0
  if (scope == "period") return 1
  return (profile_type[c] == "closed" || profile_type[c] == "lost") &&
         (profile_province[c] == "广东省" || profile_province[c] == "浙江省") && profile_department[c] == "一部"
}

# The measure's value for customer c in scope into value_out[0]; 0 when it has none.
function measure(scope, name, c, value_out) {
  if (scope == "profiles") {
    if (name == "cumulative_amount") value_out[0] = profile_amount[c] / 100
    else if (name == "order_count") value_out[0] = profile_orders[c]
    else if (name == "interaction_count") value_out[0] = profile_interactions[c]
    else {
      if (!all_rated[c]) return 0
      value_out[0] = all_score[c] / all_rated[c]
    }
    return 1
  }
  if (name == "cumulative_amount") value_out[0] = (placed_amount[c] - refunded_amount[c]) / 100
  else if (name == "order_count") value_out[0] = orders[c] + 0
  else if (name == "interaction_count") value_out[0] = period_count[c]
  else {
    if (!period_rated[c]) return 0
    value_out[0] = period_score[c] / period_rated[c]
  }
  return 1
}

function describe(scope, name,    c, n, values, v, sum, mean, squares, i, frequency, mode, best, q, qs, key) {
  n = 0
  for (c in profile_type) {
    if (in_scope(scope, c) && measure(scope, name, c, v)) values[++n] = v[0]
  }
  key = "describe" OFS name OFS scope
  print key, "count", n
  if (n == 0) return
  sort_ascending(values, n)
  sum = 0
  for (i = 1; i <= n; i++) sum += values[i]
  mean = sum / n
  squares = 0
  for (i = 1; i <= n; i++) squares += (values[i] - mean) ^ 2
  # The most frequent value; the sort makes the first of equally frequent ones the smallest.
  best = 0
  for (i = 1; i <= n; i++) {
    frequency[number(values[i])]++
    if (frequency[number(values[i])] > best) { best = frequency[number(values[i])]; mode = values[i] }
  }
  print key, "mean", number(mean)
  print key, "standard_deviation", number(sqrt(squares / n))
  print key, "mode", number(mode)
  print key, "min", number(values[1])
  print key, "max", number(values[n])
  # quantileExact: the value at 0-based position floor(q x n) of the sorted values.
  split("0.1 0.25 0.5 0.75 0.9", qs, " ")
  for (i = 1; i <= 5; i++) {
    q = qs[i] + 0
    print key, "q" qs[i], number(values[int(q * n) + 1])
  }
}

function correlate(scope, x, y,    c, n, xs, ys, vx, vy, mx, my, sxy, sxx, syy, i) {
  n = 0
  for (c in profile_type) {
    if (in_scope(scope, c) && measure(scope, x, c, vx) && measure(scope, y, c, vy)) {
      n++; xs[n] = vx[0]; ys[n] = vy[0]
    }
  }
  print "correlate", x, y, scope, "count", n
  if (n < 2) return
  mx = my = 0
  for (i = 1; i <= n; i++) { mx += xs[i]; my += ys[i] }
  mx /= n; my /= n
  sxy = sxx = syy = 0
  for (i = 1; i <= n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) ^ 2; syy += (ys[i] - my) ^ 2
  }
  if (sxx > 0 && syy > 0) print "correlate", x, y, scope, "pearson", number(sxy / sqrt(sxx * syy))
}

function pareto(scope, percent,    c, n, revenue, v, total, i, k, top, running, for80) {
  n = 0
  for (c in profile_type) {
    if (!in_scope(scope, c)) continue
    v = scope == "profiles" ? profile_amount[c] : placed_amount[c] - refunded_amount[c]
    if (v > 0) revenue[++n] = -v  # negated: ascending order is highest first
  }
  sort_ascending(revenue, n)
  total = 0
  for (i = 1; i <= n; i++) total -= revenue[i]
  k = ceiling(n * percent / 100)
  top = 0
  for (i = 1; i <= k; i++) top -= revenue[i]
  running = 0; for80 = 0
  for (i = 1; i <= n && !for80; i++) {
    running -= revenue[i]
    if (running * 100 >= total * 80) for80 = i
  }
  print "pareto", scope, percent, "customers", n
  print "pareto", scope, percent, "total_minor", total
  print "pareto", scope, percent, "top_customers", k
  print "pareto", scope, percent, "top_minor", top
  print "pareto", scope, percent, "customers_for_80", for80
}

function extremes(scope, percent, limit,    c, n, ids, averages, v, group, shown, i, side, highest) {
  n = 0
  for (c in profile_type) {
    if (in_scope(scope, c) && measure(scope, "average_satisfaction", c, v)) { ids[++n] = c; averages[c] = v[0] }
  }
  group = ceiling(n * percent / 100)
  print "extremes", scope, percent, limit, "rated", n
  print "extremes", scope, percent, limit, "group_size", group
  shown = group < limit ? group : limit
  for (side = 1; side <= 2; side++) {
    highest = side == 1
    sort_customers(ids, n, highest, averages)
    for (i = 1; i <= shown; i++) {
      print "extremes", scope, percent, limit, (highest ? "top" : "bottom") "." i, ids[i] "|" number(averages[ids[i]])
    }
  }
}

# The RFM segment (docs/REPORTS.md, "RFM segments") of recency score r and frequency score f.
function segment_of(r, f) {
  if (r >= 4 && f >= 4) return "champions"
  if (r == 3 && f >= 3) return "loyal"
  if (r >= 4 && f >= 2) return "potential loyalists"
  if (r >= 4) return "new"
  if (r <= 2 && f == 5) return "can't lose"
  if (r <= 2 && f >= 3) return "at risk"
  if (r >= 2) return "hibernating"
  return "lost"
}

# quantilesExact(0.2, 0.4, 0.6, 0.8) of values[1..n] into bounds[1..4] (sorts values).
function quintiles(values, n, bounds,    i) {
  sort_ascending(values, n)
  for (i = 1; i <= 4; i++) bounds[i] = values[int((i / 5) * n) + 1]
}

# RFM of the customers in scope with an order in the period: boundaries, totals, and the
# customers and revenue (minor units) of every occupied R x F cell and every segment.
function rfm(scope,    c, n, ids, days, money, values, rb, fb, mb, i, b, r, f, total, cell, segment) {
  n = 0
  for (c in profile_type) {
    if (!in_scope(scope, c) || !(orders[c] > 0)) continue
    ids[++n] = c
    days[c] = int((to - last_order[c]) / 86400)
    money[c] = placed_amount[c] - refunded_amount[c]
  }
  print "rfm", scope, "customers", n
  if (n == 0) return
  for (i = 1; i <= n; i++) values[i] = days[ids[i]]
  quintiles(values, n, rb)
  for (i = 1; i <= n; i++) values[i] = orders[ids[i]]
  quintiles(values, n, fb)
  for (i = 1; i <= n; i++) values[i] = money[ids[i]]
  quintiles(values, n, mb)
  for (i = 1; i <= 4; i++) {
    print "rfm", scope, "recency." i, rb[i]
    print "rfm", scope, "frequency." i, fb[i]
    print "rfm", scope, "monetary_minor." i, mb[i]
  }
  total = 0
  for (i = 1; i <= n; i++) {
    c = ids[i]
    r = f = 1
    for (b = 1; b <= 4; b++) {
      if (rb[b] > days[c]) r++
      if (fb[b] < orders[c]) f++
    }
    total += money[c]
    cell["R" r " F" f]++
    cell["R" r " F" f, "revenue"] += money[c]
    segment[segment_of(r, f)]++
    segment[segment_of(r, f), "revenue"] += money[c]
  }
  print "rfm", scope, "revenue_minor", total
  for (r = 1; r <= 5; r++) {
    for (f = 1; f <= 5; f++) {
      if (!(("R" r " F" f) in cell)) continue
      print "rfm", scope, "R" r " F" f, "customers", cell["R" r " F" f]
      print "rfm", scope, "R" r " F" f, "revenue_minor", cell["R" r " F" f, "revenue"]
    }
  }
  for (c in segment) {
    if (index(c, SUBSEP)) continue
    print "rfm", scope, "segment " c, "customers", segment[c]
    print "rfm", scope, "segment " c, "revenue_minor", segment[c, "revenue"]
  }
}

NR == FNR {
  c = $1
  profile_name[c] = $2; profile_type[c] = $3; profile_owner[c] = $4; profile_department[c] = $5
  profile_province[c] = $6; profile_industry[c] = $7; profile_amount[c] = $8
  profile_orders[c] = $9; profile_interactions[c] = $10; merged[c] = $11 + 0
  next
}

{
  c = $1; type = $2; at = $3 + 0; amount = $4 + 0; score = $5 + 0
  if (score > 0) { all_score[c] += score; all_rated[c]++ }
  if (type == "INTERACTION_TYPE_COMPLAINT_RESOLVED" && $7 != "") {
    if (!((c, $7) in resolved_at) || at < resolved_at[c, $7]) resolved_at[c, $7] = at
  }
  if (type == "INTERACTION_TYPE_COMPLAINT_OPENED" && at >= from && at < to) {
    complaints++
    complaint_customer[complaints] = c; complaint_case[complaints] = $7; opened_at[complaints] = at
    complaint_key["category", complaints] = $8
    complaint_key["product", complaints] = $9
    complaint_key["day", complaints] = day_of(at)
    complaint_key["agent", complaints] = $6
  }
  if (at < from || at >= to) next
  period_interactions["period", c] = 1
  period_interactions["filtered", c] = 1
  period_count[c]++
  if (score > 0) { period_score[c] += score; period_rated[c]++ }
  if (type == "INTERACTION_TYPE_ORDER_PLACED") {
    placed_amount[c] += amount; orders[c]++
    if (at > last_order[c]) last_order[c] = at
  }
  if (type == "INTERACTION_TYPE_ORDER_REFUNDED") refunded_amount[c] += amount
}

END {
  for (s = 1; s <= 3; s++) {
    for (m = 1; m <= 4; m++) describe(scope_names[s], measure_names[m])
    correlate(scope_names[s], "cumulative_amount", "average_satisfaction")
    correlate(scope_names[s], "order_count", "interaction_count")
    pareto(scope_names[s], 20)
  }
  pareto("period", 35)
  extremes("period", 20, 5)
  extremes("profiles", 20, 100)
  extremes("filtered", 50, 100)
  rfm("period")
  rfm("filtered")

  split("category product day agent province", groupings, " ")
  for (i = 1; i <= complaints; i++) {
    c = complaint_customer[i]
    complaint_key["province", i] = (c in profile_province) ? profile_province[c] : ""
    resolved = complaint_case[i] != "" && ((c, complaint_case[i]) in resolved_at) &&
               resolved_at[c, complaint_case[i]] >= opened_at[i]
    for (g = 1; g <= 5; g++) {
      k = groupings[g] SUBSEP complaint_key[groupings[g], i]
      count[k]++
      if (resolved) { solved[k]++; seconds[k] += resolved_at[c, complaint_case[i]] - opened_at[i] }
    }
  }
  for (k in count) {
    split(k, parts, SUBSEP)
    print "complaints", parts[1], parts[2], "complaints", count[k]
    print "complaints", parts[1], parts[2], "resolved", solved[k] + 0
    if (solved[k] > 0) print "complaints", parts[1], parts[2], "average_seconds", number(seconds[k] / solved[k])
  }
}
