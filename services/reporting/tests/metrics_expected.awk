# Expected monthly metric values, computed from the same generated data the metrics test
# stores in ClickHouse, without any of the service's code: the independent side of
# services/reporting/tests/metrics_integration_test.cc. Formulas are those of docs/METRICS.md.
#
#   awk -f civil_date.awk -f metrics_expected.awk profiles.tsv interactions.tsv
#
# profiles.tsv (latest version of each customer):
#   customer_id  first_contact_at (Unix seconds, 0 = unknown)  province  merged (0/1)
# interactions.tsv:
#   customer_id  channel  type  occurred_at (Unix seconds)  amount_minor  satisfaction  wait_seconds
#
# Output, one line per metric, breakdown, month and breakdown value that has a value:
#   metric  breakdown  month (YYYY-MM-01)  key  value
# breakdown is none, channel, province or channel+province; key joins the values with "|".
# Counts are printed only when above 0 (the test reads a missing count as 0); ratios
# only when their denominator is above 0.
BEGIN { FS = OFS = "\t" }

# The first day of the month of a Unix time, "YYYY-MM-01".
function month_of(t) { return substr(civil(int(t / 86400)), 1, 8) "01" }

# The Unix time of the first second of a day "YYYY-MM-DD".
function epoch_of(day) { return days_from_civil(day) * 86400 }

function next_month(month,    y, m) {
  y = substr(month, 1, 4) + 0
  m = substr(month, 6, 2) + 1
  if (m > 12) { m = 1; y++ }
  return sprintf("%04d-%02d-01", y, m)
}

function emit(metric, spec_month_key, value,    parts) {
  split(spec_month_key, parts, SUBSEP)
  printf "%s\t%s\t%s\t%s\t%.6f\n", metric, parts[1], parts[2], parts[3], value
}

# The breakdown specs an interaction counts under, in keys[1..4].
function interaction_keys(customer, channel,    p) {
  p = (customer in province) ? province[customer] : ""
  spec[1] = "none"; keys[1] = ""
  spec[2] = "channel"; keys[2] = channel
  spec[3] = "province"; keys[3] = p
  spec[4] = "channel+province"; keys[4] = channel "|" p
}

NR == FNR {
  province[$1] = $3
  if ($4 == 0 && $2 > 0) { first_contact[$1] = $2 }
  next
}

{
  customer = $1; channel = $2; type = $3; at = $4; amount = $5; score = $6; wait = $7
  month = month_of(at)
  interaction_keys(customer, channel)
  for (i = 1; i <= 4; i++) {
    g = spec[i] SUBSEP month SUBSEP keys[i]
    interactions[g]++
    if (!((g, customer) in active)) { active[g, customer] = 1; active_count[g]++ }
    if (type == "INTERACTION_TYPE_ORDER_PLACED") {
      placed_sum[g] += amount; placed_count[g]++; orders[g, customer]++
    }
    if (type == "INTERACTION_TYPE_ORDER_REFUNDED") refunded_sum[g] += amount
    if (type == "INTERACTION_TYPE_COMPLAINT_OPENED") complaints[g]++
    if (score > 0) { score_sum[g] += score; score_count[g]++ }
    if (type == "INTERACTION_TYPE_CALL_INBOUND") { wait_sum[g] += wait; wait_count[g]++ }
    if (type == "INTERACTION_TYPE_CALL_CALLBACK") call_backs[g]++
    if (type == "INTERACTION_TYPE_CALL_MISSED") missed[g]++
  }
  if (type == "INTERACTION_TYPE_ORDER_PLACED" || type == "INTERACTION_TYPE_ORDER_REFUNDED") {
    n = ++money_count[customer]
    money_at[customer, n] = at
    money_placed[customer, n] = type == "INTERACTION_TYPE_ORDER_PLACED"
    money_amount[customer, n] = money_placed[customer, n] ? amount : -amount
  }
  if (type == "INTERACTION_TYPE_ORDER_PLACED") {
    ordered[customer] = 1
    if (!(customer in first_order) || at < first_order[customer]) {
      first_order[customer] = at; first_order_channel[customer] = channel
    }
  }
}

END {
  for (g in interactions) {
    emit("active_customers", g, active_count[g])
    emit("total_sales", g, (placed_sum[g] - refunded_sum[g]) / 100)
    emit("engagement", g, interactions[g] / active_count[g])
    emit("complaint_rate", g, complaints[g] / active_count[g] * 100)
    emit("call_backs", g, call_backs[g] + 0)
    if (missed[g] > 0) emit("call_back_rate", g, call_backs[g] / missed[g] * 100)
    if (placed_count[g] > 0) emit("average_order_value", g, placed_sum[g] / 100 / placed_count[g])
    if (score_count[g] > 0) emit("satisfaction", g, score_sum[g] / score_count[g])
    if (wait_count[g] > 0) emit("average_response_time", g, wait_sum[g] / wait_count[g])
  }
  for (gc in orders) {
    split(gc, parts, SUBSEP)
    g = parts[1] SUBSEP parts[2] SUBSEP parts[3]
    buyers[g]++
    if (orders[gc] >= 2) repeat_buyers[g]++
  }
  for (g in buyers) emit("repurchase_rate", g, repeat_buyers[g] / buyers[g] * 100)

  # Each active (customer, month) decides the next month's churn and retention.
  for (gc in active) {
    split(gc, parts, SUBSEP)
    following = parts[1] SUBSEP next_month(parts[2]) SUBSEP parts[3]
    previously_active[following]++
    if ((following, parts[4]) in active) retained[following]++
    else churned[following]++
  }
  for (g in previously_active) {
    emit("churn_rate", g, churned[g] / previously_active[g] * 100)
    emit("retention_rate", g, retained[g] / previously_active[g] * 100)
    if (churned[g] > 0) emit("churned_customers", g, churned[g])
  }

  for (customer in first_order) {
    interaction_keys(customer, first_order_channel[customer])
    for (i = 1; i <= 4; i++) closed[spec[i] SUBSEP month_of(first_order[customer]) SUBSEP keys[i]]++
  }
  for (g in closed) emit("closed_customers", g, closed[g])

  for (customer in first_contact) {
    month = month_of(first_contact[customer])
    for (i = 1; i <= 2; i++) {
      key = i == 1 ? "" : province[customer]
      g = (i == 1 ? "none" : "province") SUBSEP month SUBSEP key
      new_customers[g]++
      if (customer in ordered) converted[g]++
    }
  }
  for (g in new_customers) {
    emit("new_customers", g, new_customers[g])
    emit("conversion_rate", g, converted[g] / new_customers[g] * 100)
  }
  # Growth for every month with customers before it: new in the month / customers before.
  for (month = "2024-01-01"; month <= "2027-12-01"; month = next_month(month)) {
    before = 0; added = 0
    for (customer in first_contact) {
      contact_month = month_of(first_contact[customer])
      if (contact_month < month) before++
      if (contact_month == month) added++
    }
    if (before > 0) emit("customer_growth_rate", "none" SUBSEP month SUBSEP "", added / before * 100)
  }

  # Lifetime value at each month's end: spend so far / customer months (30.4375 days)
  # since first contact, over the customers with a known first contact who ordered by then.
  for (month = "2024-01-01"; month <= "2027-12-01"; month = next_month(month)) {
    end = epoch_of(next_month(month))
    for (customer in first_contact) {
      if (!(customer in money_count) || first_contact[customer] >= end) continue
      spend = 0; bought = 0
      for (i = 1; i <= money_count[customer]; i++) {
        if (money_at[customer, i] >= end) continue
        spend += money_amount[customer, i]
        if (money_placed[customer, i]) bought = 1
      }
      if (!bought) continue
      months = (end - first_contact[customer]) / (86400 * 30.4375)
      for (i = 1; i <= 2; i++) {
        g = (i == 1 ? "none" : "province") SUBSEP month SUBSEP (i == 1 ? "" : province[customer])
        lifetime_spend[g] += spend / 100
        lifetime_months[g] += months
      }
    }
  }
  for (g in lifetime_months) emit("customer_lifetime_value", g, lifetime_spend[g] / lifetime_months[g])
}
