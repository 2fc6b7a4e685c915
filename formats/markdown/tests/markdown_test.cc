// Unit tests: the document tree API (what the site generator walks), the options (--gfm,
// --safe), GFM details beyond the spec's few examples, input edge cases, and the CLI.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/file.h"
#include "core/process.h"
#include "core/testing/testing.h"
#include "formats/markdown/markdown.h"

namespace sfs::markdown {
namespace {

Options gfm() {
  Options o;
  o.gfm = true;
  return o;
}

Options safe() {
  Options o;
  o.safe = true;
  return o;
}

TEST(MarkdownTest, ToHtml) {
  EXPECT_EQ(to_html("# Hello\n\n*world*\n"), "<h1>Hello</h1>\n<p><em>world</em></p>\n");
  EXPECT_EQ(to_html(""), "");
  EXPECT_EQ(to_html("a"), "<p>a</p>\n");
}

TEST(MarkdownTest, WriteHtmlStreamsTheSameHtml) {
  // Large enough for many 64 KiB pieces, with blocks of every kind crossing piece boundaries.
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    text += "# Heading " + std::to_string(i) + "\n\n- item *" + std::to_string(i) +
            "*\n  > quote\n\n```\ncode\n```\n| a | b |\n|---|---|\n| 1 | www.x.com |\n\n<div>\nraw\n</div>\n";
  }
  for (bool gfm_on : {false, true}) {
    Options options;
    options.gfm = gfm_on;
    std::string streamed;
    int pieces = 0;
    write_html(text, options, [&](std::string_view piece) {
      streamed.append(piece);
      ++pieces;
    });
    EXPECT_GT(pieces, 5);
    EXPECT_EQ(streamed, to_html(text, options));
    EXPECT_EQ(streamed, render_html(parse(text, options).root(), options));
  }
}

TEST(MarkdownTest, LineEndings) {
  std::string unix_text = "# T\n\n- a\n- b\n\n```\ncode\n```\n\nx  \ny\n";
  std::string expected = to_html(unix_text);
  std::string crlf, cr;
  for (char c : unix_text) {
    if (c == '\n') {
      crlf += "\r\n";
      cr += "\r";
    } else {
      crlf += c;
      cr += c;
    }
  }
  // Line endings are normalised to "\n" everywhere, code and HTML blocks included (as cmark).
  EXPECT_EQ(to_html(crlf), expected);
  EXPECT_EQ(to_html(cr), expected);
  EXPECT_EQ(to_html("<div>\r\nx\r\n</div>\r\n"), "<div>\nx\n</div>\n");
}

TEST(MarkdownTest, NulAndInvalidUtf8) {
  EXPECT_EQ(to_html(std::string("a\0b", 3)), "<p>a\xEF\xBF\xBD" "b</p>\n");
  // Invalid UTF-8 passes through untouched (as in cmark without validation).
  EXPECT_EQ(to_html("a\xFF\xFE b"), "<p>a\xFF\xFE b</p>\n");
  EXPECT_EQ(to_html("*\xFF*"), "<p><em>\xFF</em></p>\n");
}

TEST(MarkdownTest, TreeHeadingsForATableOfContents) {
  Document doc = parse("# Intro\n\ntext\n\n## Install *now*\n\nmore\n\nUsage\n-----\n");
  struct Entry {
    int level;
    std::string title;
    int line;
  };
  std::vector<Entry> toc;
  for (const Node* block : doc.root().children()) {
    if (block->type() == NodeType::kHeading) toc.push_back({block->level(), plain_text(*block), block->line()});
  }
  ASSERT_EQ(toc.size(), 3u);
  EXPECT_EQ(toc[0].level, 1);
  EXPECT_EQ(toc[0].title, "Intro");
  EXPECT_EQ(toc[0].line, 1);
  EXPECT_EQ(toc[1].level, 2);
  EXPECT_EQ(toc[1].title, "Install now");
  EXPECT_EQ(toc[1].line, 5);
  EXPECT_EQ(toc[2].title, "Usage");
  EXPECT_EQ(toc[2].level, 2);
  const Node* usage = doc.root().last_child();
  EXPECT_TRUE(usage->setext());
}

TEST(MarkdownTest, TreeFirstParagraphAsExcerpt) {
  Document doc = parse("# Title\n\nThe **first** [paragraph](/p).\n\nSecond.\n");
  const Node* first = doc.root().find_first(NodeType::kParagraph);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(render_html(*first), "<p>The <strong>first</strong> <a href=\"/p\">paragraph</a>.</p>\n");
  EXPECT_EQ(plain_text(*first), "The first paragraph.");
  EXPECT_EQ(first->line(), 3);
}

TEST(MarkdownTest, TreeNodeFields) {
  Document doc = parse(
      "3) one\n4) two\n\n```rust  extra words\nfn main() {}\n```\n\n    indented\n\n"
      "[link](http://a.b \"T\") ![img *alt*](i.png)\n\n<div>\nraw\n</div>\n\n---\n\n> quote\n");
  const Node& root = doc.root();
  EXPECT_EQ(root.type(), NodeType::kDocument);
  const Node* list = root.first_child();
  ASSERT_EQ(list->type(), NodeType::kList);
  EXPECT_TRUE(list->ordered());
  EXPECT_EQ(list->start(), 3);
  EXPECT_EQ(list->delimiter(), ')');
  EXPECT_TRUE(list->tight());
  EXPECT_EQ(list->first_child()->type(), NodeType::kItem);
  EXPECT_EQ(plain_text(*list->last_child()), "two");

  const Node* fenced = list->next();
  ASSERT_EQ(fenced->type(), NodeType::kCodeBlock);
  EXPECT_TRUE(fenced->fenced());
  EXPECT_EQ(fenced->info(), "rust  extra words");
  EXPECT_EQ(fenced->language(), "rust");
  EXPECT_EQ(fenced->literal(), "fn main() {}\n");

  const Node* indented = fenced->next();
  EXPECT_FALSE(indented->fenced());
  EXPECT_EQ(indented->literal(), "indented\n");
  EXPECT_EQ(indented->info(), "");

  const Node* paragraph = indented->next();
  const Node* link = paragraph->first_child();
  ASSERT_EQ(link->type(), NodeType::kLink);
  EXPECT_EQ(link->url(), "http://a.b");
  EXPECT_EQ(link->title(), "T");
  EXPECT_EQ(link->first_child()->literal(), "link");
  const Node* image = paragraph->last_child();
  ASSERT_EQ(image->type(), NodeType::kImage);
  EXPECT_EQ(image->url(), "i.png");
  EXPECT_EQ(plain_text(*image), "img alt");
  EXPECT_EQ(image->parent(), paragraph);
  EXPECT_EQ(image->previous()->type(), NodeType::kText);

  const Node* html = paragraph->next();
  EXPECT_EQ(html->type(), NodeType::kHtmlBlock);
  EXPECT_EQ(html->literal(), "<div>\nraw\n</div>\n");
  EXPECT_EQ(html->next()->type(), NodeType::kThematicBreak);
  EXPECT_EQ(root.last_child()->type(), NodeType::kBlockQuote);
  EXPECT_EQ(type_name(root.last_child()->type()), "block_quote");
}

TEST(MarkdownTest, AdjacentTextIsMerged) {
  Document doc = parse("a &amp; b \\* c *d* e_f [g\n");
  const Node* p = doc.root().first_child();
  std::vector<std::string> kinds;
  for (const Node* child : p->children()) kinds.push_back(std::string(type_name(child->type())));
  EXPECT_EQ(kinds, (std::vector<std::string>{"text", "emph", "text"}));
  EXPECT_EQ(p->first_child()->literal(), "a & b * c ");
  EXPECT_EQ(p->last_child()->literal(), " e_f [g");
}

TEST(MarkdownTest, WalkerEntersAndLeaves) {
  Document doc = parse("> *a* b\n");
  std::string trace;
  Walker walker(doc.root());
  while (auto step = walker.next()) {
    trace += step.entering ? "+" : "-";
    trace += type_name(step.node->type());
    trace += " ";
  }
  EXPECT_EQ(trace,
            "+document +block_quote +paragraph +emph +text -emph +text -paragraph -block_quote -document ");
}

TEST(MarkdownTest, DocumentIsMovable) {
  Document a = parse("# x\n");
  Document b = std::move(a);
  EXPECT_EQ(plain_text(b.root()), "x");
  // The source was copied: the tree survives the caller's text.
  std::string text = "*temporary*";
  Document c = parse(text);
  text.assign(text.size(), '#');
  EXPECT_EQ(render_html(c.root()), "<p><em>temporary</em></p>\n");
}

TEST(MarkdownTest, LooseAndTightLists) {
  EXPECT_EQ(to_html("- a\n- b\n"), "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
  EXPECT_EQ(to_html("- a\n\n- b\n"), "<ul>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>\n");
  EXPECT_EQ(to_html("- a\n  - b\n\n    c\n- d\n"),
            "<ul>\n<li>a\n<ul>\n<li>\n<p>b</p>\n<p>c</p>\n</li>\n</ul>\n</li>\n<li>d</li>\n</ul>\n");
  Document doc = parse("1. a\n\n2. b\n");
  EXPECT_FALSE(doc.root().first_child()->tight());
}

TEST(MarkdownTest, SafeMode) {
  EXPECT_EQ(to_html("<script>alert(1)</script>\n\na <b>c</b>\n", safe()),
            "<!-- raw HTML omitted -->\n<p>a <!-- raw HTML omitted -->c<!-- raw HTML omitted --></p>\n");
  EXPECT_EQ(to_html("[x](javascript:alert(1)) [y](JavaScript:x) [z](vbscript:a) [f](file:///etc)\n", safe()),
            "<p><a href=\"\">x</a> <a href=\"\">y</a> <a href=\"\">z</a> <a href=\"\">f</a></p>\n");
  EXPECT_EQ(to_html("![a](data:image/png;base64,xx) [b](data:text/html,x) [c](https://ok)\n", safe()),
            "<p><img src=\"data:image/png;base64,xx\" alt=\"a\" /> <a href=\"\">b</a> <a href=\"https://ok\">c</a></p>\n");
  // Without --safe the same input is passed through (CommonMark's behaviour).
  EXPECT_EQ(to_html("a <b>c</b>\n"), "<p>a <b>c</b></p>\n");
  EXPECT_EQ(to_html("<javascript:x>\n", safe()), "<p><a href=\"\">javascript:x</a></p>\n");
}

TEST(MarkdownTest, UrlEscaping) {
  EXPECT_EQ(to_html("[a](<b c> 'it''s') [d](/é?x=1&y=\"2\"#f)\n"),
            "<p>[a](<b c> 'it''s') <a href=\"/%C3%A9?x=1&amp;y=%222%22#f\">d</a></p>\n");
  EXPECT_EQ(to_html("[a](<b c>)\n"), "<p><a href=\"b%20c\">a</a></p>\n");
  EXPECT_EQ(to_html("[a](/a'b%20c)\n"), "<p><a href=\"/a&#x27;b%20c\">a</a></p>\n");
}

TEST(MarkdownTest, GfmTables) {
  EXPECT_EQ(to_html("| a | b |\n|:--|--:|\n| `x\\|y` | **z** |\n", gfm()),
            "<table>\n<thead>\n<tr>\n<th align=\"left\">a</th>\n<th align=\"right\">b</th>\n</tr>\n"
            "</thead>\n<tbody>\n<tr>\n<td align=\"left\"><code>x|y</code></td>\n"
            "<td align=\"right\"><strong>z</strong></td>\n</tr>\n</tbody>\n</table>\n");
  // Text before the header row stays a paragraph; the table ends at a blank line.
  EXPECT_EQ(to_html("intro\na|b\n-|-\n1|2\n\nafter\n", gfm()),
            "<p>intro</p>\n<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n"
            "<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n<p>after</p>\n");
  // Not a table without --gfm, or when the header and delimiter rows disagree.
  EXPECT_EQ(to_html("a|b\n-|-\n"), "<p>a|b\n-|-</p>\n");
  EXPECT_EQ(to_html("a|b|c\n-|-\n", gfm()), "<p>a|b|c\n-|-</p>\n");
  Document doc = parse("|x|y|\n|:-:|-|\n|1|\n", gfm());
  const Node* table = doc.root().first_child();
  ASSERT_EQ(table->type(), NodeType::kTable);
  const Node* head = table->first_child();
  EXPECT_TRUE(head->header());
  EXPECT_EQ(head->first_child()->alignment(), Alignment::kCenter);
  const Node* body = head->next();
  EXPECT_FALSE(body->header());
  // Short rows are padded to the header's width.
  int cells = 0;
  for (const Node* cell : body->children()) {
    ++cells;
    (void)cell;
  }
  EXPECT_EQ(cells, 2);
  EXPECT_EQ(body->first_child()->alignment(), Alignment::kCenter);
}

TEST(MarkdownTest, GfmStrikethrough) {
  EXPECT_EQ(to_html("~a~ ~~b~~ ~~~c~~~ ~d~~\n", gfm()),
            "<p><del>a</del> <del>b</del> ~~~c~~~ ~d~~</p>\n");
  EXPECT_EQ(to_html("~~a~~\n"), "<p>~~a~~</p>\n");
  EXPECT_EQ(to_html("~~*a*~~\n", gfm()), "<p><del><em>a</em></del></p>\n");
}

TEST(MarkdownTest, GfmAutolinks) {
  EXPECT_EQ(to_html("see www.a.com/x. and https://b.org/p?q=1, mail c.d@e.fr!\n", gfm()),
            "<p>see <a href=\"http://www.a.com/x\">www.a.com/x</a>. and "
            "<a href=\"https://b.org/p?q=1\">https://b.org/p?q=1</a>, mail "
            "<a href=\"mailto:c.d@e.fr\">c.d@e.fr</a>!</p>\n");
  EXPECT_EQ(to_html("xwww.a.com [www.b.com](/l) `www.c.com`\n", gfm()),
            "<p>xwww.a.com <a href=\"/l\">www.b.com</a> <code>www.c.com</code></p>\n");
  EXPECT_EQ(to_html("*www.a.com*\n", gfm()), "<p><em><a href=\"http://www.a.com\">www.a.com</a></em></p>\n");
  EXPECT_EQ(to_html("www.a_b.c_d and www.ok.com\n", gfm()),
            "<p>www.a_b.c_d and <a href=\"http://www.ok.com\">www.ok.com</a></p>\n");
  EXPECT_EQ(to_html("www.a.com\n"), "<p>www.a.com</p>\n");
}

TEST(MarkdownTest, GfmTaskLists) {
  EXPECT_EQ(to_html("- [ ] a\n- [x] b\n- [y] c\n", gfm()),
            "<ul>\n<li><input disabled=\"\" type=\"checkbox\"> a</li>\n"
            "<li><input checked=\"\" disabled=\"\" type=\"checkbox\"> b</li>\n<li>[y] c</li>\n</ul>\n");
  EXPECT_EQ(to_html("- [x] a\n\n  more\n", gfm()),
            "<ul>\n<li>\n<p><input checked=\"\" disabled=\"\" type=\"checkbox\"> a</p>\n<p>more</p>\n</li>\n</ul>\n");
  Document doc = parse("- [X] done\n- todo\n", gfm());
  const Node* item = doc.root().first_child()->first_child();
  EXPECT_EQ(item->task(), TaskState::kChecked);
  EXPECT_EQ(plain_text(*item), "done");
  EXPECT_EQ(item->next()->task(), TaskState::kNone);
  EXPECT_EQ(parse("- [x] a\n").root().first_child()->first_child()->task(), TaskState::kNone);
}

TEST(MarkdownTest, GfmTagFilter) {
  EXPECT_EQ(to_html("a <iframe src=x></iframe> <b>ok</b> <Script>\n", gfm()),
            "<p>a &lt;iframe src=x>&lt;/iframe> <b>ok</b> &lt;Script></p>\n");
  EXPECT_EQ(to_html("<iframe src=x>\n", gfm()), "&lt;iframe src=x>\n");
  EXPECT_EQ(to_html("<noembed>\n"), "<noembed>\n");
}

TEST(MarkdownTest, ReferenceDefinitions) {
  EXPECT_EQ(to_html("[Foo Bar]\n\n[foo  bar]: /u 'T'\n[FOO BAR]: /second\n"),
            "<p><a href=\"/u\" title=\"T\">Foo Bar</a></p>\n");
  // Unicode case folding: ẞ matches SS.
  EXPECT_EQ(to_html("[ẞ]\n\n[SS]: /url\n"), "<p><a href=\"/url\">ẞ</a></p>\n");
}

// --- the command line ----------------------------------------------------------------------

core::CapturedRun run(const std::vector<std::string>& args, const std::string& input = "") {
  std::vector<std::string> argv = {core::testing::sfs_binary(), "markdown"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = core::run_and_capture(argv, input);
  EXPECT_TRUE(result.is_ok()) << result.status().to_string();
  return result.is_ok() ? *result : core::CapturedRun{-1, ""};
}

TEST(MarkdownCli, StdinToStdout) {
  auto r = run({}, "# hi\n\n<b>x</b> www.a.com\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "<h1>hi</h1>\n<p><b>x</b> www.a.com</p>\n");
}

TEST(MarkdownCli, FilesGfmAndSafe) {
  core::testing::TempDir dir;
  ASSERT_TRUE(core::write_file(dir.file("a.md"), "see [ref] and ~~this~~\n").is_ok());
  ASSERT_TRUE(core::write_file(dir.file("b.md"), "\n[ref]: /r\n\n<i>x</i>\n").is_ok());
  auto r = run({"--gfm", "--safe", dir.file("a.md"), dir.file("b.md")});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output,
            "<p>see <a href=\"/r\">ref</a> and <del>this</del></p>\n"
            "<p><!-- raw HTML omitted -->x<!-- raw HTML omitted --></p>\n");
}

TEST(MarkdownCli, Errors) {
  auto missing = run({"/nonexistent/file.md"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("/nonexistent/file.md"), std::string::npos);
  auto bad_flag = run({"--nope"});
  EXPECT_EQ(bad_flag.exit_code, 2);
  auto help = run({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--gfm"), std::string::npos);
}

}  // namespace
}  // namespace sfs::markdown
