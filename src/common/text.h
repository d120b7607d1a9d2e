// Small text helpers shared by the prompt-driven parts (QA, lossy, evaluation).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace llmz {

// s without leading and trailing spaces, tabs and line breaks.
inline std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// Length of the UTF-8 character starting at b[0], or 0 if it is not valid (or is NUL).
inline size_t utf8_char_length(std::span<const uint8_t> b) {
  const uint8_t c = b[0];
  if (c == 0) return 0;
  if (c < 0x80) return 1;
  size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (len == 0 || c > 0xF4 || b.size() < len) return 0;
  for (size_t i = 1; i < len; i++)
    if ((b[i] & 0xC0) != 0x80) return 0;
  const uint32_t cp = len == 2   ? ((c & 0x1Fu) << 6 | (b[1] & 0x3Fu))
                      : len == 3 ? ((c & 0x0Fu) << 12 | (b[1] & 0x3Fu) << 6 | (b[2] & 0x3Fu))
                                 : ((c & 0x07u) << 18 | (b[1] & 0x3Fu) << 12 | (b[2] & 0x3Fu) << 6 | (b[3] & 0x3Fu));
  const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// Valid UTF-8 without NUL bytes: text a model can rewrite.
inline bool is_text(std::span<const uint8_t> b) {
  for (size_t i = 0; i < b.size();) {
    const size_t n = utf8_char_length(b.subspan(i));
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// s safe to print on a terminal: control characters (C0, DEL, C1), and bytes that are not valid
// UTF-8, become \xNN, so that a string from a file (a model name) cannot send escape sequences.
inline std::string printable(std::string_view s, bool keep_newlines = false) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  auto bytes = std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  for (size_t i = 0; i < bytes.size();) {
    const size_t n = utf8_char_length(bytes.subspan(i));
    const bool c1 = n == 2 && bytes[i] == 0xC2 && bytes[i + 1] < 0xA0;
    if (n == 0 || c1 || (n == 1 && (bytes[i] < 0x20 || bytes[i] == 0x7F) && !(keep_newlines && bytes[i] == '\n'))) {
      for (size_t k = 0; k < std::max<size_t>(n, 1); k++)
        out += {'\\', 'x', hex[bytes[i + k] >> 4], hex[bytes[i + k] & 15]};
      i += std::max<size_t>(n, 1);
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace llmz
