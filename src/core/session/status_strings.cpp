// Names of the snapshot's enums, as the CLI prints them and logs show them.
#include "tessera/status.hpp"

namespace tessera {

const char* to_string(FilePriority p) {
  switch (p) {
    case FilePriority::skip: return "skip";
    case FilePriority::normal: return "normal";
    case FilePriority::high: return "high";
  }
  return "?";
}

const char* to_string(TorrentState s) {
  switch (s) {
    case TorrentState::checking: return "checking";
    case TorrentState::downloading: return "downloading";
    case TorrentState::seeding: return "seeding";
    case TorrentState::paused: return "paused";
    case TorrentState::error: return "error";
    case TorrentState::fetching_metadata: return "fetching metadata";
  }
  return "?";
}

const char* to_string(PeerSource s) {
  switch (s) {
    case PeerSource::tracker: return "tracker";
    case PeerSource::incoming: return "incoming";
    case PeerSource::manual: return "manual";
    case PeerSource::dht: return "DHT";
    case PeerSource::pex: return "PEX";
    case PeerSource::lsd: return "LSD";
    case PeerSource::magnet: return "magnet";
  }
  return "?";
}

const char* to_string(DepartureReason r) {
  switch (r) {
    case DepartureReason::protocol_violation: return "protocol violation";
    case DepartureReason::corrupt_data: return "sent corrupt data";
    case DepartureReason::timed_out: return "timed out";
    case DepartureReason::closed_by_peer: return "closed by the peer";
    case DepartureReason::pruned: return "pruned for a better peer";
    case DepartureReason::duplicate: return "duplicate connection";
    case DepartureReason::not_useful: return "both seeding";
    case DepartureReason::stopped: return "stopped by us";
  }
  return "?";
}

const char* to_string(DhtState s) {
  switch (s) {
    case DhtState::off: return "off";
    case DhtState::bootstrapping: return "bootstrapping";
    case DhtState::ready: return "ready";
  }
  return "?";
}

const char* to_string(StallReason r) {
  switch (r) {
    case StallReason::none: return "";
    case StallReason::checking: return "waiting for the check of existing data";
    case StallReason::disk_error: return "disk error";
    case StallReason::no_peers_known: return "no peers known";
    case StallReason::peers_unreachable: return "peers known, none reachable";
    case StallReason::all_choking: return "every peer chokes us";
    case StallReason::nobody_has_wanted: return "no connected peer has the pieces we want";
    case StallReason::download_cap: return "limited by the download cap";
    case StallReason::no_metadata_source: return "no connected peer can send the metadata";
  }
  return "?";
}

}  // namespace tessera
