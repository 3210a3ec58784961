#include "custflow/sample/vin.h"

#include <array>
#include <cassert>

namespace custflow::sample {
namespace {

// Value of a VIN character in the check sum, or -1 outside the alphabet (I, O, Q and
// anything but digits and capital letters).
int Transliterate(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  static constexpr std::string_view kLetters = "ABCDEFGHJKLMNPRSTUVWXYZ";
  static constexpr std::array<int, 23> kValues = {1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4,
                                                  5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9};
  size_t at = kLetters.find(c);
  return at == std::string_view::npos ? -1 : kValues[at];
}

constexpr std::array<int, kVinLength> kWeights = {8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2};

}  // namespace

char VinCheckDigit(std::string_view vin) {
  assert(vin.size() == kVinLength);
  int sum = 0;
  for (size_t i = 0; i < kVinLength; ++i) {
    int value = Transliterate(vin[i]);
    assert(value >= 0 || i == 8);
    if (i != 8) sum += value * kWeights[i];
  }
  int remainder = sum % 11;
  return remainder == 10 ? 'X' : static_cast<char>('0' + remainder);
}

bool IsValidVin(std::string_view vin) {
  if (vin.size() != kVinLength) return false;
  for (char c : vin) {
    if (Transliterate(c) < 0) return false;
  }
  return VinCheckDigit(vin) == vin[8];
}

}  // namespace custflow::sample
