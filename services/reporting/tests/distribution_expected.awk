# The customer distribution computed independently of the C++ code and of ClickHouse, to
# cross-check QueryDistribution (distribution_crosscheck_test.cc). Plain POSIX awk (mawk
# included), run with LC_ALL=C so strings compare byte by byte, as ClickHouse does.
#
#   awk -f civil_date.awk -f distribution_expected.awk REQUEST LATEST
#
# LATEST: the latest snapshot of every customer, tab-separated, a header line naming the
# columns: customer_id interactions merged_into type stage department team owner province
# city district industry source first_contact (Unix seconds, 0 when unknown) tags (joined
# by ","). REQUEST, tab-separated lines:
#   by    COLUMN          the dimension: a LATEST column, "tag", or first_contact_day,
#                         first_contact_week, first_contact_month, first_contact_quarter,
#                         first_contact_year
#   by2   COLUMN          the second dimension (optional)
#   top   N               keep the N values of `by` with the most customers (optional)
#   from  SECONDS         first contact at or after (optional)
#   to    SECONDS         first contact at or before (optional)
#   any   COLUMN V1 V2 .. the customer's COLUMN is one of the values ("tags": has one)
# Output, one line per group: value, second value, is_other (0/1), customers,
# interactions; then "#total" and the customers counted, each once. Unsorted.
BEGIN { FS = "\t"; OFS = "\t" }

FNR == NR {
  if ($1 == "any") {
    list = "\t"
    for (i = 3; i <= NF; i++) list = list $i "\t"
    wanted[$2] = list
  } else {
    request[$1] = $2
  }
  next
}

FNR == 1 {
  for (i = 1; i <= NF; i++) column[$i] = i
  next
}

function period(seconds, unit,    days, date, month) {
  if (seconds == 0) return ""
  days = int(seconds / 86400)
  if (unit == "day") return civil(days)
  # 1970-01-01 was a Thursday; weeks start on Monday.
  if (unit == "week") return civil(days - (days + 3) % 7)
  date = civil(days)
  if (unit == "month") return substr(date, 1, 8) "01"
  if (unit == "year") return substr(date, 1, 5) "01-01"
  month = substr(date, 6, 2) + 0
  return sprintf("%s%02d-01", substr(date, 1, 5), month - (month - 1) % 3)
}

# The customer's values of dimension `name` into out[1..n]; returns n.
function values(name, out,    n, i) {
  if (name == "") { out[1] = ""; return 1 }
  if (name == "tag") {
    n = split($column["tags"], out, ",")
    if (n == 0) { out[1] = ""; n = 1 }
    return n
  }
  if (name ~ /^first_contact_/) {
    out[1] = period($column["first_contact"] + 0, substr(name, 15))
    return 1
  }
  out[1] = $column[name]
  return 1
}

function matches(    name, n, i, tags) {
  if ($column["merged_into"] != "") return 0
  if (("from" in request) && $column["first_contact"] + 0 < request["from"] + 0) return 0
  if (("to" in request) && $column["first_contact"] + 0 > request["to"] + 0) return 0
  for (name in wanted) {
    if (name == "tags") {
      n = split($column["tags"], tags, ",")
      for (i = 1; i <= n; i++) if (index(wanted[name], "\t" tags[i] "\t") > 0) break
      if (i > n) return 0
    } else if (index(wanted[name], "\t" $column[name] "\t") == 0) {
      return 0
    }
  }
  return 1
}

{
  if (!matches()) next
  total++
  customer = $column["customer_id"]
  n1 = values(request["by"], first)
  n2 = values(request["by2"], second)
  for (i = 1; i <= n1; i++) {
    if (!((first[i], customer) in in_group)) {
      in_group[first[i], customer] = 1
      group_customers[first[i]]++
    }
    for (j = 1; j <= n2; j++) {
      pairs++
      pair_first[pairs] = first[i]
      pair_second[pairs] = second[j]
      pair_customer[pairs] = customer
      pair_interactions[pairs] = $column["interactions"]
    }
  }
}

END {
  # The top values: most customers first, ties by the smaller value.
  if (request["top"] + 0 > 0) {
    for (k = 0; k < request["top"] + 0; k++) {
      best = ""
      found = 0
      for (value in group_customers) {
        if (value in top) continue
        if (!found || group_customers[value] > group_customers[best] ||
            (group_customers[value] == group_customers[best] && value < best)) {
          best = value
          found = 1
        }
      }
      if (!found) break
      top[best] = 1
    }
  }
  for (p = 1; p <= pairs; p++) {
    other = (request["top"] + 0 > 0 && !(pair_first[p] in top)) ? 1 : 0
    shown = other ? "" : pair_first[p]
    key = shown SUBSEP pair_second[p] SUBSEP other
    if ((key, pair_customer[p]) in counted) continue
    counted[key, pair_customer[p]] = 1
    customers[key]++
    interactions[key] += pair_interactions[p]
  }
  for (key in customers) {
    split(key, part, SUBSEP)
    print part[1], part[2], part[3], customers[key], interactions[key]
  }
  print "#total", total + 0
}
