#include "dht/transactions.hpp"

namespace tessera::dht {

void Transactions::forget(std::map<std::string, PendingQuery, std::less<>>::iterator it) {
  const auto ep = endpoints_.find(it->second.endpoint);
  if (ep != endpoints_.end() && --ep->second <= 0) endpoints_.erase(ep);
  pending_.erase(it);
}

std::optional<PendingQuery> Transactions::close(std::string_view tid, const UdpEndpoint& from) {
  const auto it = pending_.find(tid);
  if (it == pending_.end() || it->second.endpoint != from) return std::nullopt;
  PendingQuery query = it->second;
  forget(it);
  return query;
}

std::vector<PendingQuery> Transactions::expire(TimePoint now) {
  std::vector<PendingQuery> expired;
  for (auto it = pending_.begin(); it != pending_.end();) {
    const auto next = std::next(it);
    if (now - it->second.sent_at >= timeout_) {
      expired.push_back(it->second);
      forget(it);
    }
    it = next;
  }
  return expired;
}

}  // namespace tessera::dht
