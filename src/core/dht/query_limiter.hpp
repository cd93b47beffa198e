// Rate limits on the queries other nodes send us: a token bucket per source IP address and one
// for all of them together. A query over either limit is dropped without an answer, as BEP 5
// nodes do with floods (an error reply would be traffic too). Pure: time comes in as `now`.
//
// The per-address buckets are kept for the most recently heard addresses only (a bounded LRU):
// an address forgotten comes back with a full bucket, which a flood from many forged addresses
// gains nothing from — the global bucket still holds.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <list>
#include <map>

namespace tessera::dht {

struct QueryLimiterConfig {
  double per_address_rate = 5;    // queries per second from one address
  double per_address_burst = 20;  // a lookup's few queries in a row pass at once
  double global_rate = 500;       // queries per second from everybody
  double global_burst = 1000;
  std::size_t max_addresses = 4096;  // buckets remembered
};

class QueryLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit QueryLimiter(QueryLimiterConfig config = {});

  // Whether a query from `source` may be answered now; if so it is charged to both buckets.
  bool allow(const boost::asio::ip::address& source, TimePoint now);

  std::size_t tracked_addresses() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens;
    TimePoint refilled;
  };
  static void refill(Bucket& b, double rate, double burst, TimePoint now);

  QueryLimiterConfig config_;
  Bucket global_;
  std::list<boost::asio::ip::address> recent_;  // most recently heard first
  struct Slot {
    Bucket bucket;
    std::list<boost::asio::ip::address>::iterator position;
  };
  std::map<boost::asio::ip::address, Slot> buckets_;
};

}  // namespace tessera::dht
