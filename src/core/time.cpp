#include "core/time.h"

#include <cmath>
#include <cstdio>

namespace gd2s {
namespace {

bool read_digits(std::string_view text, size_t& pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  out = value;
  return true;
}

bool expect(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::optional<Timestamp> parse_iso8601(std::string_view text) {
  using namespace std::chrono;
  size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!read_digits(text, pos, 4, y) || !expect(text, pos, '-') || !read_digits(text, pos, 2, mo) ||
      !expect(text, pos, '-') || !read_digits(text, pos, 2, d))
    return std::nullopt;
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' '))
    return std::nullopt;
  ++pos;
  if (!read_digits(text, pos, 2, h) || !expect(text, pos, ':') || !read_digits(text, pos, 2, mi) ||
      !expect(text, pos, ':') || !read_digits(text, pos, 2, s))
    return std::nullopt;
  long micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (size_t i = digits; i < 6; ++i) micros *= 10;
  }
  int offset_minutes = 0;
  if (pos < text.size()) {
    char zone = text[pos];
    if (zone == 'Z' || zone == 'z') {
      ++pos;
    } else if (zone == '+' || zone == '-') {
      ++pos;
      int oh = 0, om = 0;
      if (!read_digits(text, pos, 2, oh)) return std::nullopt;
      if (pos < text.size() && text[pos] == ':') ++pos;
      if (!read_digits(text, pos, 2, om)) return std::nullopt;
      offset_minutes = (oh * 60 + om) * (zone == '+' ? 1 : -1);
    }
  }
  if (pos != text.size()) return std::nullopt;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  auto t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} + microseconds{micros} -
           minutes{offset_minutes};
  return time_point_cast<microseconds>(t);
}

std::optional<Timestamp> from_epoch_seconds(double seconds) {
  // Years 1970..9999 cover every real finding and keep the arithmetic far from overflow.
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 253402300799.0) return std::nullopt;
  auto micros = static_cast<long long>(std::llround(seconds * 1e6));
  return Timestamp{std::chrono::microseconds{micros}};
}

std::string format_iso8601(Timestamp t) {
  std::string out;
  append_iso8601(out, t);
  return out;
}

void append_iso8601(std::string& out, Timestamp t) {
  using namespace std::chrono;
  auto day_point = floor<days>(t);
  year_month_day ymd{day_point};
  hh_mm_ss<microseconds> tod{t - day_point};
  auto micros = tod.subseconds().count();
  // Every row carries a timestamp or two, so the digits are written by hand (snprintf was ~2 %
  // of the pipeline's CPU); only a year outside 0-9999 (an offset can move year 0 to -1) goes
  // through snprintf's "%04d", sign and all.
  char text[40];
  char* p = text;
  auto digits = [&p](long long value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) p[i] = static_cast<char>('0' + value % 10);
    p += width;
  };
  const int year = int(ymd.year());
  if (year >= 0 && year <= 9999)
    digits(year, 4);
  else
    p += std::snprintf(p, 12, "%04d", year);
  *p++ = '-';
  digits(unsigned(ymd.month()), 2);
  *p++ = '-';
  digits(unsigned(ymd.day()), 2);
  *p++ = 'T';
  digits(tod.hours().count(), 2);
  *p++ = ':';
  digits(tod.minutes().count(), 2);
  *p++ = ':';
  digits(tod.seconds().count(), 2);
  *p++ = '.';
  if (micros % 1000 == 0)
    digits(micros / 1000, 3);
  else
    digits(micros, 6);
  *p++ = 'Z';
  out.append(text, p);
}

std::string format_rfc1123(std::chrono::sys_seconds t) {
  using namespace std::chrono;
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto day_point = floor<days>(t);
  year_month_day ymd{day_point};
  weekday wd{day_point};
  hh_mm_ss<seconds> tod{t - day_point};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02ld:%02ld:%02lld GMT", kDays[wd.c_encoding()],
                unsigned(ymd.day()), kMonths[unsigned(ymd.month()) - 1], int(ymd.year()),
                long(tod.hours().count()), long(tod.minutes().count()),
                static_cast<long long>(tod.seconds().count()));
  return buf;
}

Timestamp now_utc() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

}  // namespace gd2s
