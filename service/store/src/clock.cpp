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

}  // namespace gatehouse::service
