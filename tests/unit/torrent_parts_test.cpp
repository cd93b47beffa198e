// The small pure parts around a torrent: request budgets, the check plan, when resume data is
// saved, why a torrent is stalled, and the share ratio.
#include <gtest/gtest.h>

#include "session/data_checker.hpp"
#include "session/request_scheduler.hpp"
#include "session/resume_keeper.hpp"
#include "session/stall_diagnosis.hpp"
#include "session/torrent_status.hpp"

namespace tessera {
namespace {

using namespace std::chrono_literals;

TEST(RequestScheduler, UncappedFollowsThePipelineInBatches) {
  RequestScheduler s;
  const RequestBudget b = s.budget(100, false, 0);
  EXPECT_EQ(b.target, 100u);
  EXPECT_EQ(b.batch, 16u);
  EXPECT_EQ(s.budget(8, false, 0).batch, 2u);
  EXPECT_EQ(s.budget(100, true, 0).target, 1u) << "a snubbed peer keeps one request";
  EXPECT_EQ(s.budget(100000, false, 0).target, RequestScheduler::kMaxPipeline);
}

TEST(RequestScheduler, ACapLimitsInFlightToHalfASecondOfTheShareAndHalfTheWindow) {
  RequestScheduler s;
  s.set_download_caps(0, 0, 4 << 20, 2);  // the session's 4 MiB/s over two peers: 2 MiB/s each
  EXPECT_EQ(s.download_share(), 2 << 20);
  EXPECT_EQ(s.budget(500, false, 0).target, (1u << 20) / kBlockSize);
  EXPECT_EQ(s.budget(500, false, 256 << 10).target, (128u << 10) / kBlockSize);
  EXPECT_EQ(s.budget(500, false, 0).batch, 1u);
  s.set_download_caps(100 << 10, 1, 4 << 20, 2);  // the torrent's own 100 KiB/s is tighter
  EXPECT_EQ(s.download_share(), 100 << 10);
  EXPECT_EQ(s.budget(500, false, 0).target, 3u);
  s.set_download_caps(1000, 1, 0, 0);
  EXPECT_EQ(s.budget(500, false, 0).target, 2u) << "never below two";
}

TEST(RequestScheduler, ReadAheadFollowsTheUploadShare) {
  RequestScheduler s;
  EXPECT_EQ(s.read_ahead(), RequestScheduler::kSendBudget);
  s.set_upload_caps(200 << 10, 2, 0, 0);
  EXPECT_EQ(s.read_ahead(), std::size_t{100} << 10);
  s.set_upload_caps(1000, 1, 0, 0);
  EXPECT_EQ(s.read_ahead(), 4 * kBlockSize);
}

TEST(RequestScheduler, PipelineByRate) {
  EXPECT_EQ(RequestScheduler::pipeline_for_rate(0), 8u);
  EXPECT_EQ(RequestScheduler::pipeline_for_rate(std::int64_t{100} * kBlockSize), 100u);
  EXPECT_EQ(RequestScheduler::pipeline_for_rate(std::int64_t{1} << 40), RequestScheduler::kMaxPipeline);
}

Metainfo three_files() {
  Metainfo m;
  m.piece_length = 4;
  m.files = {{"a", 4, 0}, {"b", 6, 4}, {"c", 2, 10}};  // pieces: a=0, b=1..2, c=2
  m.total_size = 12;
  m.piece_count = 3;
  m.piece_hashes = std::string(60, '\0');
  return m;
}

TEST(CheckPlan, WithoutResumeDataEveryExistingFileIsHashed) {
  const Metainfo m = three_files();
  const PieceMap map(m);
  const auto plan = plan_check(m, map, std::nullopt, {{4, 1}, {-1, 0}, {2, 1}});
  EXPECT_TRUE(plan.trusted.empty());
  EXPECT_EQ(plan.to_hash, (std::vector<std::uint32_t>{0, 2}));
}

TEST(CheckPlan, UnchangedFilesAreTrustedChangedOnesHashed) {
  const Metainfo m = three_files();
  const PieceMap map(m);
  ResumeData r;
  r.verified = std::string(1, '\xe0');  // all three verified
  r.files = {{4, 1}, {6, 1}, {2, 1}};
  const auto plan = plan_check(m, map, r, {{4, 1}, {6, 2}, {2, 1}});  // b changed
  EXPECT_EQ(plan.trusted, (std::vector<std::uint32_t>{0}));
  EXPECT_EQ(plan.to_hash, (std::vector<std::uint32_t>{1, 2}));
}

TEST(CheckPlan, AFirstRecordWithUnknownStampsChecksWhateverIsOnDisk) {
  // What a torrent's first resume file holds: nothing verified, every file "missing".
  const Metainfo m = three_files();
  const PieceMap map(m);
  ResumeData r;
  r.verified = std::string(1, '\0');
  r.files.assign(3, ResumeFileStamp{});
  EXPECT_EQ(plan_check(m, map, r, {{4, 1}, {6, 1}, {2, 1}}).to_hash, (std::vector<std::uint32_t>{0, 1, 2}));
  EXPECT_TRUE(plan_check(m, map, r, {{-1, 0}, {-1, 0}, {-1, 0}}).to_hash.empty());
}

TEST(CheckPlan, SpareBitsMeanNothingIsTrusted) {
  const Metainfo m = three_files();
  const PieceMap map(m);
  ResumeData r;
  r.verified = std::string(1, '\xff');
  r.files = {{4, 1}, {6, 1}, {2, 1}};
  const auto plan = plan_check(m, map, r, r.files);
  EXPECT_TRUE(plan.trusted.empty());
}

TEST(ResumeKeeper, StateChangesAtOnceNewPiecesEveryThirtySeconds) {
  ResumeKeeper k(100);
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  k.saving(t0);
  k.saved();
  EXPECT_FALSE(k.due(t0 + 1h)) << "nothing changed";
  k.mark_dirty(false);
  EXPECT_FALSE(k.due(t0 + 29s));
  EXPECT_TRUE(k.due(t0 + 30s));
  k.saving(t0 + 30s);
  k.mark_dirty(true);
  EXPECT_FALSE(k.due(t0 + 31s)) << "one save at a time";
  k.saved();
  EXPECT_TRUE(k.due(t0 + 31s));
}

TEST(ResumeKeeper, CarriesHistoryAcrossSessions) {
  ResumeKeeper k(100);
  ResumeData earlier;
  earlier.added_at = 42;
  earlier.active_seconds = 10;
  earlier.downloaded = 1000;
  earlier.uploaded = 2000;
  k.restore(earlier);
  k.count_active_second();
  ResumeData r;
  k.fill(r, 5, 7);
  EXPECT_EQ(r.added_at, 42);
  EXPECT_EQ(r.active_seconds, 11);
  EXPECT_EQ(r.downloaded, 1005);
  EXPECT_EQ(r.uploaded, 2007);
}

StallInputs downloading() {
  StallInputs in;
  in.state = TorrentState::downloading;
  in.wanted_missing = 10;
  in.trackers = "1 of 1 trackers failing: http://t/announce: connection refused";
  return in;
}

TEST(StallDiagnosis, NotDownloadingIsNotStalled) {
  for (TorrentState s : {TorrentState::seeding, TorrentState::paused}) {
    StallInputs in = downloading();
    in.state = s;
    EXPECT_EQ(diagnose_stall(in).reason, StallReason::none);
  }
}

TEST(StallDiagnosis, CheckingAndDiskErrors) {
  StallInputs in = downloading();
  in.state = TorrentState::checking;
  EXPECT_EQ(diagnose_stall(in).reason, StallReason::checking);
  in.state = TorrentState::error;
  in.error = "cannot write x: No space left on device";
  const auto d = diagnose_stall(in);
  EXPECT_EQ(d.reason, StallReason::disk_error);
  EXPECT_EQ(d.detail, in.error);
}

TEST(StallDiagnosis, NoPeersKnownNamesTheTrackers) {
  const auto d = diagnose_stall(downloading());
  EXPECT_EQ(d.reason, StallReason::no_peers_known);
  EXPECT_NE(d.detail.find("connection refused"), std::string::npos);
}

TEST(StallDiagnosis, PeersKnownButUnreachable) {
  StallInputs in = downloading();
  in.candidates = 3;
  in.connect_failures = 41;
  const auto d = diagnose_stall(in);
  EXPECT_EQ(d.reason, StallReason::peers_unreachable);
  EXPECT_EQ(d.detail, "41 connection attempts failed; 3 peers known");
  in.connect_failures = 0;
  in.connecting = 3;
  EXPECT_EQ(diagnose_stall(in).reason, StallReason::none) << "still trying";
}

TEST(StallDiagnosis, ConnectedButNobodyHasWhatWeWant) {
  StallInputs in = downloading();
  in.peers_connected = 4;
  in.wanted_unavailable = 10;
  const auto d = diagnose_stall(in);
  EXPECT_EQ(d.reason, StallReason::nobody_has_wanted);
  EXPECT_EQ(d.detail, "4 peers connected; 10 of 10 wanted pieces are on no connected peer");
}

TEST(StallDiagnosis, ConnectedButEveryoneChokesUs) {
  StallInputs in = downloading();
  in.peers_connected = 4;
  in.peers_with_wanted = 3;
  const auto d = diagnose_stall(in);
  EXPECT_EQ(d.reason, StallReason::all_choking);
  EXPECT_EQ(d.detail, "3 connected peers have pieces we want");
  in.peers_unchoking_with_wanted = 1;
  EXPECT_EQ(diagnose_stall(in).reason, StallReason::none);
}

TEST(StallDiagnosis, TheDownloadCapIsTheLimit) {
  StallInputs in = downloading();
  in.peers_connected = 2;
  in.peers_with_wanted = in.peers_unchoking_with_wanted = 2;
  in.down_rate = 98 << 10;
  in.download_cap = 100 << 10;
  auto d = diagnose_stall(in);
  EXPECT_EQ(d.reason, StallReason::download_cap);
  EXPECT_EQ(d.detail, "this torrent's cap of 100 KiB/s");
  in.download_cap = 0;
  in.session_download_cap = 200 << 10;
  in.session_down_rate = 190 << 10;
  d = diagnose_stall(in);
  EXPECT_EQ(d.reason, StallReason::download_cap);
  in.session_down_rate = 100 << 10;
  EXPECT_EQ(diagnose_stall(in).reason, StallReason::none) << "moving, below every cap";
}

TEST(ShareRatio, UploadedOverDownloadedOrOverTheDataSeededFromDisk) {
  EXPECT_DOUBLE_EQ(share_ratio(200, 100, 0), 2.0);
  EXPECT_DOUBLE_EQ(share_ratio(50, 0, 100), 0.5);
  EXPECT_DOUBLE_EQ(share_ratio(0, 0, 0), 0.0);
}

}  // namespace
}  // namespace tessera
