// Linear time on pathological inputs: each case is generated at two sizes, 8x apart, and the
// time must grow by about 8x, not 64x (quadratic). The check is a ratio with generous slack (4x,
// for the caches that the large input outgrows), measured in thread CPU time as the best of
// several runs and retried, so a loaded machine does not make it flaky; it is not a wall-clock
// limit. The cases are cmark's pathological tests plus the ones
// that break naive implementations of this engine's own structures (deep list nesting with
// blank lines, "- - - x" lines, tables, GFM autolinks).
#include <gtest/gtest.h>
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>

#include "formats/markdown/markdown.h"

namespace sfs::markdown {
namespace {

#if defined(SFS_SANITIZE) && SFS_SANITIZE
constexpr size_t kSmall = 24 * 1024;
#else
constexpr size_t kSmall = 128 * 1024;
#endif
constexpr size_t kGrowth = 8;

std::string repeat(std::string_view unit, size_t size) {
  std::string out;
  out.reserve(size + unit.size());
  while (out.size() < size) out.append(unit);
  return out;
}

struct Case {
  const char* name;
  std::function<std::string(size_t size)> make;  // an input of about `size` bytes
  bool gfm = false;
};

const Case kCases[] = {
    {"nested strong emphasis", [](size_t n) { return repeat("*a **a ", n / 2) + "b" + repeat(" a** a*", n / 2); }},
    {"emphasis closers without openers", [](size_t n) { return repeat("a_ ", n); }},
    {"emphasis openers without closers", [](size_t n) { return repeat("_a ", n); }},
    {"mismatched openers and closers", [](size_t n) { return repeat("*a_ ", n); }},
    {"openers and closers, multiple of 3", [](size_t n) { return "a**b" + repeat("c* ", n); }},
    {"intraword underscores", [](size_t n) { return repeat("a_b", n); }},
    {"link closers without openers", [](size_t n) { return repeat("a]", n); }},
    {"link openers without closers", [](size_t n) { return repeat("[a", n); }},
    {"link openers and emphasis closers", [](size_t n) { return repeat("[ a_", n); }},
    {"link/paren mix", [](size_t n) { return repeat("[ (](", n); }},
    {"nested brackets", [](size_t n) { return std::string(n / 2, '[') + "a" + std::string(n / 2, ']'); }},
    {"nested images", [](size_t n) { return repeat("![", n / 2) + "a" + repeat("](b)", n / 2); }},
    {"emphasis inside links", [](size_t n) { return repeat("*[a*](b) ", n); }},
    {"unclosed links, pointy destination", [](size_t n) { return repeat("[a](<b", n); }},
    {"unclosed links, bare destination", [](size_t n) { return repeat("[a](b", n); }},
    {"unclosed link titles", [](size_t n) { return repeat("[a](b \"c", n); }},
    {"reference labels without definitions", [](size_t n) { return repeat("[a][b", n); }},
    {"many link references",
     [](size_t n) {
       std::string defs, uses;
       for (size_t i = 0; defs.size() + uses.size() < n; ++i) {
         defs += "[r" + std::to_string(i) + "]: /u" + std::to_string(i) + " 't'\n";
         uses += "[r" + std::to_string(i) + "] ";
       }
       return defs + "\n" + uses;
     }},
    {"backtick runs of growing length",
     [](size_t n) {
       std::string out;
       for (size_t i = 1; out.size() < n; ++i) out += "e" + std::string(i, '`');
       return out;
     }},
    {"unmatched backticks", [](size_t n) { return repeat("`a``b", n); }},
    {"unclosed HTML comments", [](size_t n) { return repeat("<!-- a", n); }},
    {"unclosed processing instructions", [](size_t n) { return repeat("<? a", n); }},
    {"unclosed declarations", [](size_t n) { return repeat("<!A a", n); }},
    {"unclosed CDATA", [](size_t n) { return repeat("<![CDATA[ a", n); }},
    {"unclosed tag attributes", [](size_t n) { return repeat("<a b='c <a d=\"e ", n); }},
    {"autolink lookalikes", [](size_t n) { return repeat("<ab:c <a@b ", n); }},
    {"entities and escapes", [](size_t n) { return repeat("&amp;\\*&#x41;&nosuch;", n); }},
    {"U+0000 bytes", [](size_t n) { return repeat(std::string_view("abc\0de\0", 7), n); }},
    {"hard and soft breaks", [](size_t n) { return repeat("a  \nb\\\nc\n", n); }},
    {"nested block quotes", [](size_t n) { return repeat("> ", n / 2) + "a\n"; }},
    {"nested block quotes, many lines", [](size_t n) { return repeat(repeat("> ", 200) + "a\n", n); }},
    {"nested list items on one line", [](size_t n) { return repeat("- ", n / 2) + "a\n"; }},
    {"nested list items, then blank lines", [](size_t n) { return repeat("- ", n / 4) + "a\n" + std::string(n / 2, '\n'); }},
    {"nested ordered items and bullets", [](size_t n) { return repeat("1. * ", n / 5) + "a\n" + repeat("  \n", n / 3); }},
    {"nested lists by indentation",
     [](size_t n) {
       std::string out;
       for (size_t i = 0; out.size() < n; ++i) out += std::string(2 * i, ' ') + "- a\n\n";
       return out;
     }},
    {"thematic break lookalikes", [](size_t n) { return repeat(repeat("- ", 500) + "x\n", n); }},
    {"long paragraph with lazy lines under quotes", [](size_t n) { return repeat("> ", 300) + "a\n" + repeat("b\n", n / 2); }},
    {"link reference definitions then setext underlines", [](size_t n) { return repeat("[a]: /u\n", n / 2) + repeat("x\n===\n", n / 8); }},
    {"table, many columns, short rows", [](size_t n) { return "|" + repeat("a|", 200) + "\n|" + repeat("-|", 200) + "\n" + repeat("a\n", n / 2); }, true},
    {"table delimiter lookalikes", [](size_t n) { return repeat("[a]: /u\n", n / 4) + "x\n" + repeat("|-|-|-|\n", n / 8); }, true},
    {"strikethrough runs", [](size_t n) { return repeat("~a ~~b a~ ", n); }, true},
    {"extended autolink lookalikes", [](size_t n) { return repeat("_www.a", n); }, true},
    {"autolink with many closing parentheses", [](size_t n) { return "www.a.com/" + std::string(n, ')'); }, true},
    {"email lookalikes", [](size_t n) { return repeat("a.b@c_d@", n); }, true},
};

// CPU time of this thread: other processes on a busy machine do not inflate it.
double thread_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double seconds_to_render(const std::string& input, bool gfm) {
  Options options;
  options.gfm = gfm;
  double best = 1e9;
  for (int run = 0; run < 3; ++run) {
    double start = thread_seconds();
    std::string html = to_html(input, options);
    double stop = thread_seconds();
    EXPECT_FALSE(html.empty() && !input.empty());
    best = std::min(best, stop - start);
  }
  return best;
}

TEST(MarkdownPathological, ScalesLinearly) {
  // Keep freed memory in the process, so that every run after the first reuses warm pages
  // instead of paying page faults that the small input does not pay.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  std::printf("%-48s %10s %10s %7s\n", "case", "small ms", "large ms", "ratio");
  for (const Case& c : kCases) {
    std::string small = c.make(kSmall);
    std::string large = c.make(kSmall * kGrowth);
    double size_ratio = static_cast<double>(large.size()) / static_cast<double>(small.size());
    // Below a millisecond, timer and cache noise dominate: measure from that floor.
    constexpr double kFloor = 0.001;
    double ratio = 0;
    bool ok = false;
    double t_small = 0, t_large = 0;
    for (int attempt = 0; attempt < 3 && !ok; ++attempt) {
      t_small = seconds_to_render(small, c.gfm);
      t_large = seconds_to_render(large, c.gfm);
      ratio = t_large / std::max(t_small, kFloor);
      ok = ratio < size_ratio * 4;
    }
    std::printf("%-48s %10.2f %10.2f %7.1f\n", c.name, t_small * 1e3, t_large * 1e3, ratio);
    EXPECT_TRUE(ok) << c.name << ": input grew " << size_ratio << "x, time grew " << ratio << "x ("
                    << t_small * 1e3 << " ms -> " << t_large * 1e3 << " ms)";
  }
}

// Deep nesting must not overflow the stack anywhere: parsing, rendering, walking, plain text.
TEST(MarkdownPathological, DeepNestingDoesNotRecurse) {
  constexpr size_t kDepth = 200000;
  std::string quotes = repeat("> ", 2 * kDepth) + "a\n";
  std::string items = repeat("- ", 2 * kDepth) + "a\n";
  std::string emphasis = repeat("*a ", 3 * kDepth) + "b" + repeat(" a*", 3 * kDepth);
  std::string links = repeat("[", kDepth) + "a" + repeat("](b)", kDepth);
  std::string images = repeat("![", kDepth) + "a" + repeat("](b)", kDepth);
  for (const std::string* input : {&quotes, &items, &emphasis, &links, &images}) {
    Document doc = parse(*input);
    std::string html = render_html(doc.root());
    EXPECT_FALSE(html.empty());
    EXPECT_FALSE(plain_text(doc.root()).empty());
    size_t nodes = 0;
    Walker walker(doc.root());
    while (auto step = walker.next()) nodes += step.entering;
    EXPECT_GT(nodes, 1u);
  }
}

}  // namespace
}  // namespace sfs::markdown
