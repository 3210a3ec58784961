// A small, fast, seedable random stream (SplitMix64). Every customer and event gets its own
// stream seeded from (seed, salt, index), so any thread can make any one of them and the
// result never depends on what was generated before. std::mt19937_64 would do, but seeding
// it costs far more than making one event.
#pragma once

#include <cstdint>
#include <span>

namespace custflow::sample {

// Finalizer of SplitMix64: a bijective mix with good avalanche, used to derive seeds and ids.
constexpr uint64_t Mix64(uint64_t value) {
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ull;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebull;
  return value ^ (value >> 31);
}

constexpr uint64_t Combine(uint64_t seed, uint64_t salt, uint64_t index) {
  return Mix64(Mix64(seed ^ Mix64(salt)) + index);
}

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ull;
    return Mix64(state_);
  }

  // Uniform in [0, bound); the modulo bias is far below anything a report could show.
  uint64_t Below(uint64_t bound) { return Next() % bound; }

  // Uniform in [low, high].
  int64_t Between(int64_t low, int64_t high) {
    return low + static_cast<int64_t>(Below(static_cast<uint64_t>(high - low) + 1));
  }

  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  bool Chance(double probability) { return Unit() < probability; }

  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[Below(items.size())];
  }

  // Items carry an `int weight`; picks in proportion to it.
  template <typename T>
  const T& PickWeighted(std::span<const T> items) {
    int total = 0;
    for (const T& item : items) total += item.weight;
    int64_t ticket = static_cast<int64_t>(Below(static_cast<uint64_t>(total)));
    for (const T& item : items) {
      ticket -= item.weight;
      if (ticket < 0) return item;
    }
    return items.back();
  }

 private:
  uint64_t state_;
};

}  // namespace custflow::sample
