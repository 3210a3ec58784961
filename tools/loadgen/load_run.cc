#include "tools/loadgen/load_run.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace custflow::loadgen {
namespace {

void PrintProgress(std::FILE* out, const LoadContext& context) {
  double elapsed = std::chrono::duration<double>(Clock::now() - context.schedule.start()).count();
  std::fprintf(out, "progress: %.0f s, sent %llu, acknowledged %llu, rejected %llu\n", elapsed,
               static_cast<unsigned long long>(context.live.sent.load()),
               static_cast<unsigned long long>(context.live.acked.load()),
               static_cast<unsigned long long>(context.live.rejected.load()));
  std::fflush(out);
}

}  // namespace

RunResult RunLoad(const LoadContext& context, Transport& transport, int workers, std::FILE* progress,
                  std::chrono::seconds progress_every) {
  std::vector<RunStats> stats(static_cast<size_t>(workers));
  std::mutex mutex;
  std::condition_variable all_done;
  int running = workers;
  absl::Status first_error;
  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) {
    threads.emplace_back([&, i] {
      absl::Status status = transport.RunWorker(i, stats[static_cast<size_t>(i)]);
      if (!status.ok()) context.schedule.Stop();
      std::lock_guard lock(mutex);
      if (first_error.ok()) first_error = status;
      --running;
      all_done.notify_all();
    });
  }
  {
    std::unique_lock lock(mutex);
    while (!all_done.wait_for(lock, progress_every, [&] { return running == 0; })) {
      if (progress != nullptr) PrintProgress(progress, context);
    }
  }
  for (std::thread& thread : threads) thread.join();

  RunResult result;
  for (const RunStats& worker : stats) result.stats.Merge(worker);
  result.summary = Summarize(result.stats, context.schedule.interval());
  result.status = first_error;
  return result;
}

}  // namespace custflow::loadgen
