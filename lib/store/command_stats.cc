// CommandStats (command_stats.h): the slow side — time, failures, errors,
// histograms, the slowlog and the latency monitor.
#include "store/command_stats.h"

#include <bit>
#include <ctime>

namespace hashstore::internal {

CommandId command_id(std::string_view name) {
  for (size_t i = 0; i < kCommandIdCount; ++i) {
    if (kCommandNames[i] == name) return static_cast<CommandId>(i);
  }
  return kCommandIdCount;
}

// ---- LatencyHistogram ---------------------------------------------------------

// Values below 2^kSubBits have a bucket each; above, a power of two
// [2^e, 2^(e+1)) is split into 2^kSubBits buckets by the kSubBits bits
// under the top one.
int LatencyHistogram::bucket(uint64_t ns) {
  if (ns < (1u << kSubBits)) return static_cast<int>(ns);
  const int e = 63 - std::countl_zero(ns);  // >= kSubBits
  const int sub = static_cast<int>((ns >> (e - kSubBits)) & ((1u << kSubBits) - 1));
  return ((e - kSubBits + 1) << kSubBits) + sub;
}

uint64_t LatencyHistogram::bucket_top(int b) {
  if (b < (1 << kSubBits)) return static_cast<uint64_t>(b);
  const int e = (b >> kSubBits) + kSubBits - 1;
  const uint64_t sub = static_cast<uint64_t>(b & ((1 << kSubBits) - 1));
  const uint64_t low = (uint64_t{1} << e) + (sub << (e - kSubBits));
  return low + (uint64_t{1} << (e - kSubBits)) - 1;
}

void LatencyHistogram::record(uint64_t ns) {
  buckets_[bucket(ns)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

uint64_t LatencyHistogram::percentile(double percentile) const {
  uint64_t total = 0;
  for (const auto& b : buckets_) total += b.load(std::memory_order_relaxed);
  if (total == 0) return 0;
  // The smallest bucket at which the running count reaches percentile %.
  const double wanted = percentile / 100.0 * static_cast<double>(total);
  uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += buckets_[b].load(std::memory_order_relaxed);
    if (seen > 0 && static_cast<double>(seen) >= wanted) return bucket_top(b);
  }
  return bucket_top(kBuckets - 1);
}

// ---- CommandStats -------------------------------------------------------------

CommandStats::CommandStats() { update_timing(); }

CommandStats::~CommandStats() {
  for (auto& h : histograms_) delete h.load(std::memory_order_relaxed);
}

void CommandStats::update_timing() {
  const bool typed = time_typed_.load(std::memory_order_relaxed);
  time_commands_.store(typed || slower_than_.load(std::memory_order_relaxed) >= 0 ||
                           monitor_threshold_.load(std::memory_order_relaxed) > 0,
                       std::memory_order_relaxed);
}

void CommandStats::set_slowlog_log_slower_than(int64_t usec) {
  slower_than_.store(usec, std::memory_order_relaxed);
  update_timing();
}

void CommandStats::set_slowlog_max_len(uint64_t n) {
  slowlog_max_len_.store(n, std::memory_order_relaxed);
  std::lock_guard<std::mutex> l(mu_);
  while (slowlog_.size() > n) slowlog_.pop_back();
}

void CommandStats::set_latency_tracking(bool on) {
  time_typed_.store(on, std::memory_order_relaxed);
  update_timing();
}

void CommandStats::set_latency_monitor_threshold(uint64_t ms) {
  monitor_threshold_.store(ms, std::memory_order_relaxed);
  update_timing();
}

void CommandStats::record_time(CommandId id, uint64_t ns) {
  slow_[id].usec.fetch_add(ns / 1000, std::memory_order_relaxed);
  if (latency_tracking()) {
    LatencyHistogram* h = histograms_[id].load(std::memory_order_acquire);
    if (h == nullptr) {
      auto* fresh = new LatencyHistogram();
      if (histograms_[id].compare_exchange_strong(h, fresh, std::memory_order_acq_rel)) {
        h = fresh;
      } else {
        delete fresh;  // another thread installed one: h is it
      }
    }
    h->record(ns);
  }
  const uint64_t threshold = latency_monitor_threshold();
  const uint64_t ms = ns / 1000000;
  if (threshold > 0 && ms >= threshold) {
    // Redis files commands under "command" (and O(1) ones under
    // "fast-command"); hashstore files them all under "command".
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    std::lock_guard<std::mutex> l(mu_);
    LatencyEvent& e = latency_["command"];
    // One sample per second: a second slow call in the same second keeps
    // the larger latency (Redis's latencyAddSample).
    if (!e.samples.empty() && e.samples.back().first == now) {
      e.samples.back().second = std::max(e.samples.back().second, ms);
    } else {
      e.samples.emplace_back(now, ms);
      if (e.samples.size() > LatencyEvent::kLatencyHistory) e.samples.pop_front();
    }
    e.max_ms = std::max(e.max_ms, ms);
  }
}

bool CommandStats::slow(uint64_t ns) const {
  const int64_t threshold = slowlog_log_slower_than();
  return threshold >= 0 && static_cast<int64_t>(ns / 1000) >= threshold;
}

void CommandStats::add_slowlog(std::vector<std::string> args, uint64_t ns) {
  std::lock_guard<std::mutex> l(mu_);
  const uint64_t max_len = slowlog_max_len();
  SlowlogEntry e{next_slowlog_id_++, static_cast<int64_t>(std::time(nullptr)), ns / 1000,
                 std::move(args)};
  if (max_len == 0) return;  // Redis still uses up an id
  slowlog_.push_front(std::move(e));
  while (slowlog_.size() > max_len) slowlog_.pop_back();
}

namespace {

// Redis's errorstat key: the error's first word, without its '-'.
std::string error_code(std::string_view error) {
  return std::string(error.substr(0, error.find(' ')));
}

}  // namespace

void CommandStats::failed(CommandId id, std::string_view error) {
  if (id < kCommandIdCount) slow_[id].failed.fetch_add(1, std::memory_order_relaxed);
  total_errors_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> l(mu_);
  ++errors_[error_code(error)];
}

void CommandStats::rejected(CommandId id, std::string_view error) {
  if (id < kCommandIdCount) slow_[id].rejected.fetch_add(1, std::memory_order_relaxed);
  total_errors_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> l(mu_);
  ++errors_[error_code(error)];
}

CommandStats::PerCommand CommandStats::figures(CommandId id) const {
  PerCommand f;
  for (size_t i = 0; i < kLockStripes; ++i) {
    f.calls += calls_[i * kStripeCounters + id].load(std::memory_order_relaxed);
  }
  f.usec = slow_[id].usec.load(std::memory_order_relaxed);
  f.failed = slow_[id].failed.load(std::memory_order_relaxed);
  f.rejected = slow_[id].rejected.load(std::memory_order_relaxed);
  return f;
}

uint64_t CommandStats::total_calls() const {
  uint64_t total = 0;
  for (const auto& n : calls_) total += n.load(std::memory_order_relaxed);
  return total;
}

std::map<std::string, uint64_t> CommandStats::error_counts() const {
  std::lock_guard<std::mutex> l(mu_);
  return errors_;
}

std::vector<SlowlogEntry> CommandStats::slowlog(int64_t count) const {
  std::lock_guard<std::mutex> l(mu_);
  const size_t n = count < 0 ? slowlog_.size()
                             : std::min(slowlog_.size(), static_cast<size_t>(count));
  return std::vector<SlowlogEntry>(slowlog_.begin(), slowlog_.begin() + static_cast<ptrdiff_t>(n));
}

size_t CommandStats::slowlog_len() const {
  std::lock_guard<std::mutex> l(mu_);
  return slowlog_.size();
}

void CommandStats::slowlog_reset() {
  std::lock_guard<std::mutex> l(mu_);
  slowlog_.clear();
}

std::map<std::string, LatencyEvent> CommandStats::latency_events() const {
  std::lock_guard<std::mutex> l(mu_);
  return latency_;
}

size_t CommandStats::latency_reset(const std::vector<std::string>& events) {
  std::lock_guard<std::mutex> l(mu_);
  if (events.empty()) {
    const size_t n = latency_.size();
    latency_.clear();
    return n;
  }
  size_t n = 0;
  for (const std::string& e : events) n += latency_.erase(e);
  return n;
}

void CommandStats::reset() {
  for (auto& n : calls_) n.store(0, std::memory_order_relaxed);
  for (Slow& s : slow_) {
    s.usec.store(0, std::memory_order_relaxed);
    s.failed.store(0, std::memory_order_relaxed);
    s.rejected.store(0, std::memory_order_relaxed);
  }
  total_errors_.store(0, std::memory_order_relaxed);
  // Histograms are emptied by replacing them: a reader may hold the old
  // one, so it is kept until the Store goes (RESETSTAT is rare).
  std::lock_guard<std::mutex> l(mu_);
  for (auto& h : histograms_) {
    if (LatencyHistogram* old = h.exchange(nullptr, std::memory_order_acq_rel)) {
      retired_.emplace_back(old);
    }
  }
  errors_.clear();
}

}  // namespace hashstore::internal
