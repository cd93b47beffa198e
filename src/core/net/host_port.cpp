#include "tessera/host_port.hpp"

#include <charconv>

namespace tessera {

expected<HostPort, std::string> parse_host_port(std::string_view text) {
  const auto bad = [&] {
    // Appended piece by piece: GCC 12 at -O3 warns (wrongly) about "literal" + std::string.
    std::string message(1, '\'');
    message.append(text).append("' is not ADDRESS:PORT");
    return unexpected(std::move(message));
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad();
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view digits = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || port > 65535) return bad();
  return HostPort{std::string(host), static_cast<std::uint16_t>(port)};
}

}  // namespace tessera
