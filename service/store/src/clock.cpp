#include "gatehouse/store/clock.hpp"

#include <cstdio>
#include <ctime>

namespace gatehouse::service {

std::string utc_time(std::chrono::system_clock::time_point at) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(at.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  if (ms % 1000 < 0) --seconds;  // before 1970: floor, not truncate
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];  // room for any int year, so nothing is cut
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(((ms % 1000) + 1000) % 1000));
  return buf;
}

std::string utc_now() { return utc_time(std::chrono::system_clock::now()); }

std::optional<std::chrono::system_clock::time_point> parse_utc_time(std::string_view text) {
  using namespace std::chrono;
  // YYYY-MM-DDTHH:MM:SS, then .fff (milliseconds) or nothing, then Z.
  if (text.size() != 20 && text.size() != 24) return std::nullopt;
  auto digits = [&](std::size_t at, std::size_t n) -> std::optional<int> {
    int value = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text.back() != 'Z')
    return std::nullopt;
  auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  std::optional<int> millis = 0;
  if (text.size() == 24) millis = text[19] == '.' ? digits(20, 3) : std::nullopt;
  if (!year || !month || !day || !hour || !minute || !second || !millis) return std::nullopt;
  year_month_day date{std::chrono::year(*year), std::chrono::month(static_cast<unsigned>(*month)),
                      std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
  return sys_days(date) + hours(*hour) + minutes(*minute) + seconds(*second) + milliseconds(*millis);
}

}  // namespace gatehouse::service
