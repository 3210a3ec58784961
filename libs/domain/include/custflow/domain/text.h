// Checks and foldings of user-entered text shared by validation, cleansing and duplicate
// detection: UTF-8 validity, e-mail shape, trimming and full-width forms.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace custflow::domain {

// True when `text` is well-formed UTF-8 as RFC 3629 defines it: no overlong forms,
// surrogates or code points past U+10FFFF.
bool IsValidUtf8(std::string_view text);

// Code points in `text`, which must be valid UTF-8.
size_t Utf8Length(std::string_view text);

// `text` without leading and trailing white space: ASCII, the no-break space (U+00A0) and
// the ideographic space (U+3000) that Chinese input methods type.
std::string TrimSpace(std::string_view text);

// Full-width ASCII forms (U+FF01-U+FF5E, as in "ＡＢＣ（深圳）") and the ideographic
// space replaced by their ASCII equivalents; everything else kept.
std::string ToHalfWidth(std::string_view text);

// True when `email` looks like an address: one "@", a dot-atom local part of at most 64
// bytes and a domain of at least two labels (UTF-8 labels allowed).
bool IsEmailAddress(std::string_view email);

}  // namespace custflow::domain
