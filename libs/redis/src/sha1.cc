// SHA-1 written out from FIPS 180-4 section 6.1; small enough not to need a crypto library.
#include "sha1.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

namespace custflow::redis::internal {
namespace {

constexpr size_t kBlockSize = 64;
using State = std::array<uint32_t, 5>;

uint32_t LoadBigEndian(const unsigned char* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

void ProcessBlock(const unsigned char* block, State& state) {
  std::array<uint32_t, 80> w;
  for (size_t t = 0; t < 16; ++t) w[t] = LoadBigEndian(block + 4 * t);
  for (size_t t = 16; t < 80; ++t) w[t] = std::rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

  auto [a, b, c, d, e] = state;
  for (size_t t = 0; t < 80; ++t) {
    uint32_t f = 0;
    uint32_t k = 0;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    uint32_t next = std::rotl(a, 5) + f + e + k + w[t];
    e = d;
    d = c;
    c = std::rotl(b, 30);
    b = a;
    a = next;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
}

}  // namespace

std::string Sha1Hex(std::string_view data) {
  State state = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  size_t full_blocks = data.size() / kBlockSize;
  for (size_t i = 0; i < full_blocks; ++i) ProcessBlock(bytes + i * kBlockSize, state);

  // The tail, a 0x80 marker, zeros and the length in bits fill one or two more blocks.
  std::array<unsigned char, 2 * kBlockSize> tail{};
  size_t tail_size = data.size() % kBlockSize;
  std::memcpy(tail.data(), bytes + full_blocks * kBlockSize, tail_size);
  tail[tail_size] = 0x80;
  size_t padded = tail_size + 1 + 8 <= kBlockSize ? kBlockSize : 2 * kBlockSize;
  uint64_t bit_length = uint64_t{data.size()} * 8;
  for (size_t i = 0; i < 8; ++i) {
    tail[padded - 1 - i] = static_cast<unsigned char>(bit_length >> (8 * i));
  }
  for (size_t offset = 0; offset < padded; offset += kBlockSize) {
    ProcessBlock(tail.data() + offset, state);
  }

  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(40);
  for (uint32_t word : state) {
    for (int shift = 28; shift >= 0; shift -= 4) hex.push_back(kHex[(word >> shift) & 0xf]);
  }
  return hex;
}

}  // namespace custflow::redis::internal
