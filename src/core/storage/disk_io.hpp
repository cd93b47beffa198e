// Asynchronous disk and hash work: jobs run on a small thread pool, their results are posted
// back to the caller's executor (the network thread), which therefore never blocks on disk.
#pragma once

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "storage/torrent_files.hpp"

namespace tessera {

class DiskIo {
 public:
  explicit DiskIo(std::size_t threads) : pool_(threads) {}
  ~DiskIo() { pool_.join(); }
  DiskIo(const DiskIo&) = delete;
  DiskIo& operator=(const DiskIo&) = delete;

  // Runs work() on the pool and then done(result) on `executor`.
  template <class Executor, class Work, class Done>
  void submit(const Executor& executor, Work work, Done done) {
    boost::asio::post(pool_, [executor, work = std::move(work), done = std::move(done)]() mutable {
      auto result = work();
      boost::asio::post(executor, [done = std::move(done), result = std::move(result)]() mutable {
        done(std::move(result));
      });
    });
  }

  // Jobs submitted through one strand run one at a time, in order (e.g. one torrent's writes,
  // which would otherwise contend for the same file's lock).
  using Strand = boost::asio::strand<boost::asio::thread_pool::executor_type>;
  Strand make_strand() { return boost::asio::make_strand(pool_); }
  boost::asio::any_io_executor executor() { return pool_.get_executor(); }

  template <class Executor, class Work, class Done>
  void submit_on(Strand& strand, const Executor& executor, Work work, Done done) {
    boost::asio::post(strand, [executor, work = std::move(work), done = std::move(done)]() mutable {
      auto result = work();
      boost::asio::post(executor, [done = std::move(done), result = std::move(result)]() mutable {
        done(std::move(result));
      });
    });
  }

  void stop() { pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace tessera
