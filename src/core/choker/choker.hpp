// Decides which peers we upload to (tit-for-tat). Pure: no I/O, no clock of its own (time is
// passed in), and the only randomness comes from the seed given to the constructor.
//
// Every rechoke_interval a full round ranks the interested peers by rate (what they give us while
// we leech, what we give them while we seed) and unchokes the best `slots`. One more interested
// peer gets the optimistic unchoke, so that peers with nothing to offer yet can prove themselves;
// it is kept for optimistic_interval and newcomers are favoured when picking it, since they have
// the least chance of a regular slot. While we leech, a peer that stopped sending to us (snubbed)
// cannot hold a regular slot.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "picker/piece_picker.hpp"  // PeerKey

namespace tessera {

struct ChokerConfig {
  int regular_slots = 4;  // rate-ranked upload slots (plus one optimistic)
  std::chrono::seconds rechoke_interval{10};
  std::chrono::seconds optimistic_interval{30};
  std::chrono::seconds snub_timeout{60};
  std::chrono::seconds newcomer_window{60};  // connected this recently = newcomer
  int newcomer_weight = 3;  // newcomers are this many times as likely to be the optimistic pick
  // Optional: derive the slot count from the upload cap: cap / rate_per_slot, clamped to [2, 50];
  // used only when rate_based_slots is set and the cap passed to rechoke() is > 0.
  bool rate_based_slots = false;
  std::int64_t rate_per_slot = 20 * 1024;  // bytes/s
};

struct ChokerPeer {
  PeerKey key = 0;
  bool interested = false;     // they want our data
  bool am_choking = true;      // our current state towards them
  bool am_interested = false;  // we want their data
  bool peer_choking = true;    // they choke us
  std::int64_t down_rate = 0;  // payload bytes/s from them
  std::int64_t up_rate = 0;    // payload bytes/s to them
  std::chrono::steady_clock::time_point connected_at{};
  // Last block from them, or when they last unchoked us if later (the torrent keeps this up to date).
  std::chrono::steady_clock::time_point last_block_at{};
};

enum class ChokeReason : std::uint8_t { not_interested, rate_rank, optimistic, free_slot, snubbed, waiting };

struct ChokeDecision {
  PeerKey key = 0;
  bool unchoke = false;
  ChokeReason reason = ChokeReason::not_interested;
  int rank = 0;  // 1-based rate rank among the interested (for rate_rank and waiting; 0 otherwise)
  // For the snapshot/GUI: "rate rank 2", "optimistic", "free slot", "snubbed", "not interested", "waiting
  // (rank 6)".
  std::string describe() const;
};

class Choker {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kMinRateSlots = 2;  // bounds of the cap-derived slot count
  static constexpr int kMaxRateSlots = 50;

  explicit Choker(ChokerConfig config = {}, std::uint64_t seed = 0);
  // Takes effect at the next round (and for on_interested() from now on); nothing is re-decided here.
  void set_config(const ChokerConfig& config) { config_ = config; }
  const ChokerConfig& config() const { return config_; }

  // A peer that unchokes us, that we want data from, and that sent no block for snub_timeout.
  static bool is_snubbed(const ChokerPeer& p, Clock::time_point now, const ChokerConfig& config);

  bool due(Clock::time_point now) const;  // a full round is due (first call: true)
  // A full round, every rechoke_interval: rank the interested peers by rate (down_rate while we
  // leech, up_rate while we seed), unchoke the best `slots`, keep or rotate the optimistic one.
  // Returns one decision per peer passed in (same order). upload_cap (bytes/s, 0 = none) only feeds
  // rate_based_slots; the last one given is also what on_interested() counts slots against.
  std::vector<ChokeDecision> rechoke(std::span<const ChokerPeer> peers, bool seeding, Clock::time_point now,
                                     std::int64_t upload_cap = 0);
  // Between rounds: a peer just became interested. If a regular slot is free (fewer unchoked
  // non-optimistic interested peers than the slot count), unchoke it now ("free slot").
  std::optional<ChokeDecision> on_interested(std::span<const ChokerPeer> peers, PeerKey key,
                                             Clock::time_point now);
  void forget(PeerKey key);  // the peer left; frees the optimistic slot if it held it
  std::optional<PeerKey> optimistic() const { return optimistic_; }
  int slots(std::int64_t upload_cap) const;  // regular slots in effect

 private:
  // Keeps, rotates or picks the optimistic unchoke among the interested peers that did not get a
  // regular slot in `out`, and records it there.
  void update_optimistic(std::span<const ChokerPeer> peers, std::vector<ChokeDecision>& out,
                         Clock::time_point now);
  // Weighted random index into `pool` (indices into `peers`): newcomers weigh newcomer_weight.
  std::size_t weighted_pick(std::span<const ChokerPeer> peers, const std::vector<std::size_t>& pool,
                            Clock::time_point now);

  ChokerConfig config_;
  std::mt19937_64 rng_;
  std::optional<Clock::time_point> last_round_;
  std::int64_t last_upload_cap_ = 0;
  std::optional<PeerKey> optimistic_;
  Clock::time_point optimistic_since_{};  // when the current optimistic was picked
};

}  // namespace tessera
