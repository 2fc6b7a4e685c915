// LineEditor without a terminal: keys are fed as bytes, the screen output is captured, and the
// blocking mode reads keys from a pipe.
#include "core/line_editor.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/file.h"
#include "core/testing/testing.h"

namespace sfs::core {
namespace {

// An editor that believes it talks to an 80-column terminal and records what it draws.
struct FakeTerminal {
  std::string screen;  // declared first: the editor draws into it until it is destroyed
  LineEditor editor{-1, -1};
  FakeTerminal() {
    editor.set_terminal(true);
    editor.set_width(80);
    editor.set_output([this](std::string_view bytes) { screen.append(bytes); });
    editor.set_prompt("> ");
  }
  std::vector<LineEditor::Input> type(std::string_view keys) { return editor.feed(keys); }
};

TEST(LineEditorTest, InsertsAndSubmits) {
  FakeTerminal t;
  EXPECT_TRUE(t.type("hello").empty());
  EXPECT_EQ(t.editor.buffer(), "hello");
  EXPECT_EQ(t.editor.cursor(), 5u);
  auto inputs = t.type("\r");
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs[0].kind, LineEditor::kLine);
  EXPECT_EQ(inputs[0].line, "hello");
  EXPECT_EQ(t.editor.buffer(), "");
}

TEST(LineEditorTest, CrLfIsOneEnterAndLfAloneWorks) {
  FakeTerminal t;
  auto inputs = t.type("a\r\nb\nc\r");
  ASSERT_EQ(inputs.size(), 3u);
  EXPECT_EQ(inputs[0].line, "a");
  EXPECT_EQ(inputs[1].line, "b");
  EXPECT_EQ(inputs[2].line, "c");
  // An empty Enter is a line too.
  inputs = t.type("\r");
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs[0].line, "");
}

TEST(LineEditorTest, CursorMovementAndInsertInMiddle) {
  FakeTerminal t;
  t.type("held");
  t.type("\x1b[D");  // Left
  t.type("\x1b[D");
  t.type("l");
  EXPECT_EQ(t.editor.buffer(), "helld");
  t.type("\x01");  // Ctrl-A
  EXPECT_EQ(t.editor.cursor(), 0u);
  t.type("<");
  t.type("\x05>");  // Ctrl-E
  EXPECT_EQ(t.editor.buffer(), "<helld>");
  t.type("\x1b[H");  // Home
  EXPECT_EQ(t.editor.cursor(), 0u);
  t.type("\x1b[F");  // End
  EXPECT_EQ(t.editor.cursor(), 7u);
  t.type("\x1bOH");  // Home, application keypad
  EXPECT_EQ(t.editor.cursor(), 0u);
  t.type("\x1b[4~");  // End, vt220
  EXPECT_EQ(t.editor.cursor(), 7u);
  t.type("\x02\x02\x06");  // Ctrl-B Ctrl-B Ctrl-F
  EXPECT_EQ(t.editor.cursor(), 6u);
}

TEST(LineEditorTest, Deleting) {
  FakeTerminal t;
  t.type("abcdef");
  t.type("\x7f");  // Backspace
  EXPECT_EQ(t.editor.buffer(), "abcde");
  t.type("\x01\x1b[3~");  // Home, Delete
  EXPECT_EQ(t.editor.buffer(), "bcde");
  t.type("\x04");  // Ctrl-D on a non-empty line deletes
  EXPECT_EQ(t.editor.buffer(), "cde");
  t.type("\x06\x0b");  // Ctrl-F, Ctrl-K
  EXPECT_EQ(t.editor.buffer(), "c");
  t.type("xyz\x02\x15");  // Ctrl-B, Ctrl-U
  EXPECT_EQ(t.editor.buffer(), "z");
  EXPECT_EQ(t.editor.cursor(), 0u);
  t.type("\x08");  // Ctrl-H at the start does nothing
  EXPECT_EQ(t.editor.buffer(), "z");
}

TEST(LineEditorTest, WordCommands) {
  FakeTerminal t;
  t.type("say hello  world");
  t.type("\x17");  // Ctrl-W
  EXPECT_EQ(t.editor.buffer(), "say hello  ");
  t.type("\x17");
  EXPECT_EQ(t.editor.buffer(), "say ");
  t.type("one two");
  t.type("\x1b[1;5D");  // Ctrl-Left
  EXPECT_EQ(t.editor.cursor(), 8u);
  t.type("\x1b" "b");  // Alt-B
  EXPECT_EQ(t.editor.cursor(), 4u);
  t.type("\x1b" "f");  // Alt-F
  EXPECT_EQ(t.editor.cursor(), 7u);
  t.type("\x1b[1;5C");
  EXPECT_EQ(t.editor.cursor(), 11u);
}

TEST(LineEditorTest, Transpose) {
  FakeTerminal t;
  t.type("ab");
  t.type("\x14");  // Ctrl-T at the end swaps the last two
  EXPECT_EQ(t.editor.buffer(), "ba");
  t.type("\x01\x06" "c\x14");
  EXPECT_EQ(t.editor.buffer(), "bac");
}

TEST(LineEditorTest, Utf8MovesByCodePoint) {
  FakeTerminal t;
  t.type("h\xc3\xa9llo \xe2\x82\xac");  // "héllo €"
  t.type("\x7f");                        // removes the 3-byte euro sign whole
  EXPECT_EQ(t.editor.buffer(), "h\xc3\xa9llo ");
  t.type("\x01\x1b[C\x1b[C");  // Home, Right, Right: past the two-byte é
  EXPECT_EQ(t.editor.cursor(), 3u);
  t.type("\x1b[D\x1b[3~");  // Left, Delete: removes é
  EXPECT_EQ(t.editor.buffer(), "hllo ");
}

TEST(LineEditorTest, HistoryUpDownKeepsTheNewLine) {
  FakeTerminal t;
  t.editor.add_history("first");
  t.editor.add_history("second");
  t.editor.add_history("second");  // repeat skipped
  t.editor.add_history("");        // empty skipped
  ASSERT_EQ(t.editor.history().size(), 2u);
  t.type("draft");
  t.type("\x1b[A");
  EXPECT_EQ(t.editor.buffer(), "second");
  t.type("\x10");  // Ctrl-P
  EXPECT_EQ(t.editor.buffer(), "first");
  t.type("\x1b[A");  // at the oldest: stays
  EXPECT_EQ(t.editor.buffer(), "first");
  t.type("\x1b[B");
  EXPECT_EQ(t.editor.buffer(), "second");
  t.type("\x0e");  // Ctrl-N back to the line being written
  EXPECT_EQ(t.editor.buffer(), "draft");
  t.type("\x1b[B");
  EXPECT_EQ(t.editor.buffer(), "draft");
}

TEST(LineEditorTest, HistoryLimitAndFile) {
  testing::TempDir dir;
  LineEditor editor(-1, -1);
  editor.set_history_limit(3);
  for (const char* line : {"a", "b", "c", "d"}) editor.add_history(line);
  EXPECT_EQ(editor.history(), (std::vector<std::string>{"b", "c", "d"}));
  std::string path = dir.file("history");
  ASSERT_TRUE(editor.save_history(path).is_ok());
  LineEditor other(-1, -1);
  ASSERT_TRUE(other.load_history(path).is_ok());
  EXPECT_EQ(other.history(), editor.history());
  EXPECT_TRUE(other.load_history(dir.file("missing")).is_ok());
}

TEST(LineEditorTest, CtrlCInterruptsAndCtrlDAtEmptyLineEnds) {
  FakeTerminal t;
  auto inputs = t.type("partial\x03");
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs[0].kind, LineEditor::kInterrupt);
  EXPECT_EQ(t.editor.buffer(), "");
  inputs = t.type("\x04");
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs[0].kind, LineEditor::kEof);
}

TEST(LineEditorTest, EscapeSequenceSplitAcrossReads) {
  FakeTerminal t;
  t.type("ab");
  t.type("\x1b");
  t.type("[");
  t.type("D");
  EXPECT_EQ(t.editor.cursor(), 1u);
  EXPECT_EQ(t.editor.buffer(), "ab");
  t.type("\x1b[15~");  // F5: ignored, not inserted
  t.type("\x1b[200~x\x1b[201~");  // bracketed paste markers ignored, text inserted
  EXPECT_EQ(t.editor.buffer(), "axb");
  t.type("\x09\x07");  // Tab and Ctrl-G do nothing
  EXPECT_EQ(t.editor.buffer(), "axb");
}

TEST(LineEditorTest, DrawsPromptAndCursor) {
  FakeTerminal t;
  ASSERT_TRUE(t.editor.start().is_ok());
  EXPECT_NE(t.screen.find("> "), std::string::npos);
  t.screen.clear();
  t.type("hi");
  // The last redraw: CR, prompt, text, erase to end of line, CR, cursor to column 4.
  EXPECT_NE(t.screen.rfind("\r> hi\x1b[0K\r\x1b[4C"), std::string::npos) << t.screen;
  t.type("\x1b[D");
  EXPECT_EQ(t.screen.substr(t.screen.size() - 4), "\x1b[3C");
  t.editor.stop();
}

TEST(LineEditorTest, LongLinesScrollHorizontally) {
  FakeTerminal t;
  t.editor.set_width(10);
  ASSERT_TRUE(t.editor.start().is_ok());
  t.type("abcdefghijklmnop");
  // 10 columns, prompt 2, one column kept free: 7 characters visible, the last ones.
  EXPECT_NE(t.screen.rfind("\r> jklmnop\x1b[0K\r\x1b[9C"), std::string::npos);
  t.type("\x01");
  EXPECT_NE(t.screen.rfind("\r> abcdefg\x1b[0K\r\x1b[2C"), std::string::npos);
}

TEST(LineEditorTest, PrintAboveRedrawsStatusAndInput) {
  FakeTerminal t;
  t.editor.set_status("[#sfs]");
  ASSERT_TRUE(t.editor.start().is_ok());
  t.type("typing");
  t.screen.clear();
  t.editor.print_above("<bob> hi\nsecond line");
  // Clear input and status rows, print the text (CR LF line ends), redraw status then input.
  EXPECT_EQ(t.screen.find("\r\x1b[2K\x1b[A\x1b[2K<bob> hi\r\nsecond line\r\n"), 0u) << t.screen;
  EXPECT_NE(t.screen.find("\x1b[7m[#sfs]\x1b[0m\r\n"), std::string::npos);
  EXPECT_NE(t.screen.rfind("\r> typing\x1b[0K"), std::string::npos);
  EXPECT_EQ(t.editor.buffer(), "typing");
}

TEST(LineEditorTest, SubmittedLineKeptOrCleared) {
  FakeTerminal kept;
  ASSERT_TRUE(kept.editor.start().is_ok());
  kept.type("ls\r");
  EXPECT_NE(kept.screen.find("> ls\r\n"), std::string::npos);

  FakeTerminal cleared;
  cleared.editor.set_keep_submitted(false);
  ASSERT_TRUE(cleared.editor.start().is_ok());
  cleared.type("ls\r");
  EXPECT_EQ(cleared.screen.find("> ls\r\n"), std::string::npos);
}

TEST(LineEditorTest, StatusTruncatedToWidth) {
  FakeTerminal t;
  t.editor.set_width(6);
  t.editor.set_status("\x1b[1mabcdefghij\x1b[0m");
  ASSERT_TRUE(t.editor.start().is_ok());
  EXPECT_NE(t.screen.find("\x1b[1mabcde\x1b[0m"), std::string::npos) << t.screen;
}

TEST(LineEditorTest, PlainModeSplitsLines) {
  LineEditor editor(-1, -1);
  editor.set_terminal(false);
  std::string out;
  editor.set_output([&](std::string_view bytes) { out.append(bytes); });
  auto inputs = editor.feed("one\r\ntw");
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs[0].line, "one");
  inputs = editor.feed("o\n\x1b[A\n");
  ASSERT_EQ(inputs.size(), 2u);
  EXPECT_EQ(inputs[0].line, "two");
  EXPECT_EQ(inputs[1].line, "\x1b[A");  // no key handling without a terminal
  editor.print_above("message");
  EXPECT_EQ(out, "message\n");
}

// Writes `bytes` to a pipe and closes it; the editor reads the other end.
class PipeInput {
 public:
  explicit PipeInput(std::string_view bytes) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    read_end_.reset(fds[0]);
    Fd write_end(fds[1]);
    EXPECT_TRUE(write_all(write_end.get(), bytes).is_ok());
  }
  int fd() const { return read_end_.get(); }

 private:
  Fd read_end_;
};

TEST(LineEditorTest, BlockingReadLinePlain) {
  PipeInput input("first\nsecond\r\nlast");
  LineEditor editor(input.fd(), -1);
  EXPECT_FALSE(editor.is_terminal());
  EXPECT_EQ(editor.read_line(), "first");
  EXPECT_EQ(editor.read_line(), "second");
  EXPECT_EQ(editor.read_line(), "last");
  EXPECT_EQ(editor.read_line(), std::nullopt);
}

TEST(LineEditorTest, BlockingReadLineWithKeys) {
  PipeInput input("abc\x7f\x7f" "d\rx\x03y\x1b[D\x1b[D\x04\x01z\r\x04");
  LineEditor editor(input.fd(), -1);
  editor.set_terminal(true);
  std::string screen;
  editor.set_output([&](std::string_view bytes) { screen.append(bytes); });
  editor.set_width(40);
  EXPECT_EQ(editor.read_line(), "ad");
  EXPECT_FALSE(editor.interrupted());
  EXPECT_EQ(editor.read_line(), std::nullopt);  // Ctrl-C
  EXPECT_TRUE(editor.interrupted());
  // "y", Left, Left (stops at 0), Ctrl-D deletes "y"... then Home, "z", Enter.
  EXPECT_EQ(editor.read_line(), "z");
  EXPECT_EQ(editor.read_line(), std::nullopt);  // Ctrl-D on an empty line
  EXPECT_FALSE(editor.interrupted());
  EXPECT_EQ(editor.read_line(), std::nullopt);  // end of input
}

TEST(LineEditorTest, AttachDeliversLinesFromAPipe) {
  PipeInput input("hello\nworld\n");
  LineEditor editor(input.fd(), -1);
  EventLoop loop;
  std::vector<std::string> lines;
  bool eof = false;
  ASSERT_TRUE(editor
                  .attach(loop,
                          [&](const LineEditor::Input& in) {
                            if (in.kind == LineEditor::kLine) lines.push_back(in.line);
                            if (in.kind == LineEditor::kEof) {
                              eof = true;
                              editor.detach();
                            }
                          })
                  .is_ok());
  for (int i = 0; i < 100 && !eof; ++i) loop.run_once(Milliseconds(100));
  EXPECT_TRUE(eof);
  EXPECT_EQ(lines, (std::vector<std::string>{"hello", "world"}));
}

}  // namespace
}  // namespace sfs::core
