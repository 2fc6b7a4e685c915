// Crash recovery: a real `sfs sql` process runs transactions against a database file and is
// killed with SIGKILL at a random moment — mid-transaction, mid-spill, mid-checkpoint — many
// times over. After each kill the test reopens the file and checks that
//
//   * PRAGMA integrity_check says "ok" (no torn B-tree, every page accounted for);
//   * every transaction the child acknowledged is there (the child prints "ack|k" only after
//     COMMIT returned), and the one in flight is either wholly there or wholly absent;
//   * nothing else is: rows deleted by committed transactions stay deleted.
//
// Each transaction k inserts five rows (k, 0..4) into an indexed table, every seventh also a
// 6 KB blob (overflow pages), deletes what transaction k-20 inserted, and sets counter = k. So
// after recovery to transaction L, exactly the transactions (L-20, L] must be present. A tiny
// page cache makes transactions spill pages to the log before they commit, and a tiny
// autocheckpoint interval makes checkpoints (the database file being rewritten) frequent, so
// kills land in every phase.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include "core/file.h"
#include "core/process.h"
#include "core/testing/testing.h"
#include "systems/sql/sql.h"

namespace sfs::sql {
namespace {

#if defined(SFS_SANITIZE)
constexpr int kRounds = 8;
#else
constexpr int kRounds = 40;
#endif
constexpr int kKeep = 20;

std::string workload(int64_t first, int count, bool sync_full) {
  std::string sql = "PRAGMA cache_size = 12;\nPRAGMA wal_autocheckpoint = 40;\n";
  sql += sync_full ? "PRAGMA synchronous = FULL;\n" : "PRAGMA synchronous = OFF;\n";
  for (int64_t k = first; k < first + count; ++k) {
    std::string ks = std::to_string(k);
    sql += "BEGIN;\nINSERT INTO t(k, j, pad) VALUES";
    for (int j = 0; j < 5; ++j) {
      sql += std::string(j ? "," : "") + "(" + ks + "," + std::to_string(j) + ",'row " + ks + "." +
             std::to_string(j) + " " + std::string(40 + (k * 7 + j) % 60, 'x') + "')";
    }
    sql += ";\n";
    if (k % 7 == 0) sql += "INSERT INTO big(k, data) VALUES(" + ks + ", randomblob(6000));\n";
    sql += "DELETE FROM t WHERE k = " + std::to_string(k - kKeep) + ";\n";
    sql += "DELETE FROM big WHERE k = " + std::to_string(k - kKeep) + ";\n";
    sql += "UPDATE counter SET v = " + ks + ";\nCOMMIT;\nSELECT 'ack', " + ks + ";\n";
  }
  return sql;
}

std::string query(Database* db, const std::string& sql) {
  std::string out;
  core::Status status = db->exec(sql, [&](const std::vector<std::string>&, const std::vector<Value>& row) {
    for (size_t i = 0; i < row.size(); ++i) out += (i ? "|" : "") + row[i].to_text();
    out += "\n";
    return true;
  });
  if (!status.is_ok()) return "error: " + status.message();
  return out;
}

// Reads "ack|k" lines from the child until `stop` acks arrived, EOF, or the deadline.
int64_t read_acks(int fd, std::string* buffer, int64_t last, int stop, int timeout_ms) {
  int seen = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (seen < stop) {
    int remaining = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         deadline - std::chrono::steady_clock::now())
                                         .count());
    if (remaining <= 0) break;
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, remaining) <= 0) break;
    char chunk[4096];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) break;
    buffer->append(chunk, static_cast<size_t>(n));
    size_t newline;
    while ((newline = buffer->find('\n')) != std::string::npos) {
      std::string line = buffer->substr(0, newline);
      buffer->erase(0, newline + 1);
      if (line.rfind("ack|", 0) == 0) {
        last = std::stoll(line.substr(4));
        ++seen;
      }
    }
  }
  return last;
}

TEST(CrashTest, KilledWritersLoseNothingCommittedAndLeaveNoHalfTransaction) {
  core::testing::TempDir dir;
  std::string path = dir.file("crash.db");
  {
    auto db = Database::open(path);
    ASSERT_TRUE(db.is_ok());
    ASSERT_EQ(query(db->get(),
                    "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, j INTEGER, pad TEXT);"
                    "CREATE INDEX t_k ON t(k); CREATE INDEX t_pad ON t(pad);"
                    "CREATE TABLE big(k INTEGER PRIMARY KEY, data BLOB);"
                    "CREATE TABLE counter(v INTEGER); INSERT INTO counter VALUES(0);"),
              "");
  }
  std::mt19937 random(20240601);
  int64_t acked = 0;
  int in_flight_survived = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::string script = dir.file("round" + std::to_string(round) + ".sql");
    ASSERT_TRUE(core::write_file(script, workload(acked + 1, 400, round % 5 == 4)).is_ok());
    core::SubprocessOptions options;
    options.argv = {core::testing::sfs_binary(), "sql", "--unbuffered", path, ".read " + script};
    options.stdout_mode = core::SubprocessOptions::Stream::kPipe;
    options.stderr_mode = core::SubprocessOptions::Stream::kNull;
    auto child = core::Subprocess::start(options);
    ASSERT_TRUE(child.is_ok()) << child.status().to_string();
    std::string buffer;
    int stop_after = static_cast<int>(random() % 40);
    int64_t last = read_acks(child->stdout_pipe().get(), &buffer, acked, stop_after, 20000);
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 3000));
    ASSERT_TRUE(child->kill(SIGKILL).is_ok());
    (void)child->wait();
    // Acks already in the pipe were printed after their COMMIT: they count.
    last = read_acks(child->stdout_pipe().get(), &buffer, last, 1 << 30, 200);
    acked = last;

    auto db = Database::open(path);
    ASSERT_TRUE(db.is_ok()) << "round " << round << ": " << db.status().to_string();
    ASSERT_EQ(query(db->get(), "PRAGMA integrity_check"), "ok\n") << "round " << round;
    std::string counter = query(db->get(), "SELECT v FROM counter");
    int64_t applied = std::stoll(counter);
    ASSERT_TRUE(applied == acked || applied == acked + 1)
        << "round " << round << ": acknowledged " << acked << ", database has " << applied;
    if (applied == acked + 1) ++in_flight_survived;
    std::string expected_t, expected_big;
    for (int64_t k = std::max<int64_t>(1, applied - kKeep + 1); k <= applied; ++k) {
      expected_t += std::to_string(k) + "|5\n";
      if (k % 7 == 0) expected_big += std::to_string(k) + "|6000\n";
    }
    EXPECT_EQ(query(db->get(), "SELECT k, count(*) FROM t GROUP BY k ORDER BY k"), expected_t)
        << "round " << round;
    EXPECT_EQ(query(db->get(), "SELECT k, length(data) FROM big ORDER BY k"), expected_big)
        << "round " << round;
    EXPECT_EQ(query(db->get(), "SELECT count(*) FROM t WHERE pad NOT LIKE 'row %'"), "0\n");
    acked = applied;
  }
  std::printf("%d rounds, %lld transactions committed, in-flight transaction survived %d times\n",
              kRounds, static_cast<long long>(acked), in_flight_survived);
  EXPECT_GT(acked, kRounds);
}

}  // namespace
}  // namespace sfs::sql
