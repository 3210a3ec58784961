# Calendar arithmetic for the reports' awk cross-checks (H. Hinnant's civil calendar
# algorithms, in plain POSIX awk so Debian's mawk runs them): loaded with -f before each
# *_expected.awk script.

# Days since 1970-01-01 to "YYYY-MM-DD".
function civil(days,    z, era, doe, yoe, doy, mp, d, m, y) {
  z = days + 719468
  era = int(z / 146097)
  doe = z - era * 146097
  yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
  y = yoe + era * 400
  doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
  mp = int((5 * doy + 2) / 153)
  d = doy - int((153 * mp + 2) / 5) + 1
  m = mp < 10 ? mp + 3 : mp - 9
  if (m <= 2) y++
  return sprintf("%04d-%02d-%02d", y, m, d)
}

# "YYYY-MM-DD" to days since 1970-01-01.
function days_from_civil(date,    y, m, d, era, yoe, doy, doe) {
  y = substr(date, 1, 4) + 0
  m = substr(date, 6, 2) + 0
  d = substr(date, 9, 2) + 0
  if (m <= 2) y--
  era = int(y / 400)
  yoe = y - era * 400
  doy = int((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1
  doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
  return era * 146097 + doe - 719468
}
