// MessageParser: valid requests and responses, pipelining, byte-at-a-time input, limits, and every
// request-smuggling case the parser must refuse (RFC 9112 section 11.2 and friends).
#include "systems/http/parser.h"

#include <gtest/gtest.h>

#include <string>

namespace sfs::http {
namespace {

struct Parsed {
  MessageParser::Result result;
  int status = 0;  // error status
  std::string error;
  Request request;
  size_t consumed = 0;
};

// Feeds `wire` in one go (or in `step`-byte pieces) until the first message completes or fails.
Parsed parse_request(std::string_view wire, size_t step = 0, Limits limits = {}) {
  MessageParser parser(MessageParser::Kind::kRequest, limits);
  std::string buffer;
  size_t fed = 0;
  size_t total = 0;
  Parsed out;
  while (true) {
    size_t used = 0;
    auto r = parser.parse(buffer, &used);
    buffer.erase(0, used);
    total += used;
    if (r == MessageParser::Result::kHeadComplete) continue;
    if (r == MessageParser::Result::kComplete || r == MessageParser::Result::kError) {
      out.result = r;
      out.status = parser.error_status();
      out.error = parser.error();
      out.request = std::move(parser.request());
      out.consumed = total;
      return out;
    }
    if (fed >= wire.size()) {
      out.result = MessageParser::Result::kNeedMore;
      return out;
    }
    size_t n = step == 0 ? wire.size() - fed : std::min(step, wire.size() - fed);
    buffer.append(wire.substr(fed, n));
    fed += n;
  }
}

void expect_rejected(std::string_view wire, int status, std::string_view why) {
  Parsed p = parse_request(wire);
  EXPECT_EQ(p.result, MessageParser::Result::kError) << why << "\n" << wire;
  EXPECT_EQ(p.status, status) << why << ": " << p.error;
  // Byte by byte must reach the same verdict: no smuggling through fragmentation.
  Parsed slow = parse_request(wire, 1);
  EXPECT_EQ(slow.result, MessageParser::Result::kError) << why << " (byte by byte)";
  EXPECT_EQ(slow.status, status) << why << " (byte by byte): " << slow.error;
}

TEST(HttpParserTest, SimpleGet) {
  Parsed p = parse_request("GET /a/b%20c?x=1&y=%41 HTTP/1.1\r\nHost: h\r\nX-Thing:  v  \r\n\r\n");
  ASSERT_EQ(p.result, MessageParser::Result::kComplete) << p.error;
  EXPECT_EQ(p.request.method, "GET");
  EXPECT_EQ(p.request.target, "/a/b%20c?x=1&y=%41");
  EXPECT_EQ(p.request.path, "/a/b c");
  EXPECT_EQ(p.request.query, "x=1&y=%41");
  EXPECT_EQ(p.request.query_param("y"), "A");
  EXPECT_EQ(p.request.version, 11);
  EXPECT_EQ(p.request.headers.value("x-thing"), "v");
  EXPECT_TRUE(p.request.keep_alive());
}

TEST(HttpParserTest, ByteByByteEqualsWhole) {
  std::string wire =
      "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n";
  for (size_t step : {0u, 1u, 2u, 7u}) {
    Parsed p = parse_request(wire, step);
    ASSERT_EQ(p.result, MessageParser::Result::kComplete) << "step " << step << ": " << p.error;
    EXPECT_EQ(p.request.body, "hello world");
    EXPECT_EQ(p.request.trailers.value("x-trailer"), "yes");
    EXPECT_EQ(p.consumed, wire.size());
  }
}

TEST(HttpParserTest, ContentLengthBody) {
  Parsed p = parse_request("PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET");
  ASSERT_EQ(p.result, MessageParser::Result::kComplete);
  EXPECT_EQ(p.request.body, "hello");
  EXPECT_EQ(p.consumed, std::string("PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello").size());
}

TEST(HttpParserTest, PipelinedRequests) {
  std::string wire = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n";
  MessageParser parser(MessageParser::Kind::kRequest);
  std::string_view rest = wire;
  std::vector<std::string> paths;
  for (int i = 0; i < 10 && paths.size() < 2; ++i) {
    size_t used = 0;
    auto r = parser.parse(rest, &used);
    rest.remove_prefix(used);
    if (r == MessageParser::Result::kComplete) {
      paths.push_back(parser.request().path);
      parser.reset();
    } else {
      ASSERT_EQ(r, MessageParser::Result::kHeadComplete);
    }
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"/1", "/2"}));
}

TEST(HttpParserTest, LeadingEmptyLinesAreIgnored) {
  Parsed p = parse_request("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(p.result, MessageParser::Result::kComplete) << p.error;
}

TEST(HttpParserTest, Http10AndTargetForms) {
  Parsed p = parse_request("GET /old HTTP/1.0\r\n\r\n");
  ASSERT_EQ(p.result, MessageParser::Result::kComplete);
  EXPECT_EQ(p.request.version, 10);
  EXPECT_FALSE(p.request.keep_alive());
  p = parse_request("GET http://example.test/abs?q=1 HTTP/1.1\r\nHost: example.test\r\n\r\n");
  ASSERT_EQ(p.result, MessageParser::Result::kComplete);
  EXPECT_EQ(p.request.path, "/abs");
  EXPECT_EQ(p.request.query, "q=1");
  p = parse_request("GET http://example.test HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(p.result, MessageParser::Result::kComplete) << p.error;
  EXPECT_EQ(p.request.path, "/");
  // RFC 9112 section 3.2.2: the target's authority wins over the Host field.
  EXPECT_EQ(p.request.headers.value("host"), "example.test");
  EXPECT_EQ(p.request.headers.count("host"), 1u);
  p = parse_request("GET HTTP://Example.test:8080?q=a+b HTTP/1.0\r\n\r\n");
  ASSERT_EQ(p.result, MessageParser::Result::kComplete) << p.error;
  EXPECT_EQ(p.request.path, "/");
  EXPECT_EQ(p.request.query_param("q"), "a b");
  EXPECT_EQ(p.request.headers.value("host"), "Example.test:8080");
  p = parse_request("GET http://h/a%20b/c+d HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(p.result, MessageParser::Result::kComplete) << p.error;
  EXPECT_EQ(p.request.path, "/a b/c+d");  // '+' is a plus in a path, a space only in a query
  // Raw UTF-8 in the target (as curl sends what it is given, and nginx accepts).
  p = parse_request("GET /caf\xC3\xA9?q=\xC3\xA9 HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(p.result, MessageParser::Result::kComplete) << p.error;
  EXPECT_EQ(p.request.path, "/caf\xC3\xA9");
  EXPECT_EQ(p.request.query_param("q"), "\xC3\xA9");
  expect_rejected("GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n", 400, "absolute-form without a host");
  expect_rejected("GET http://u@h/x HTTP/1.1\r\nHost: h\r\n\r\n", 400, "userinfo in the target");
  expect_rejected("GET ftp://h/x HTTP/1.1\r\nHost: h\r\n\r\n", 400, "another scheme");
  expect_rejected("GET http://h/x HTTP/1.1\r\n\r\n", 400, "HTTP/1.1 still needs Host");
  p = parse_request("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(p.result, MessageParser::Result::kComplete);
  EXPECT_EQ(p.request.path, "*");
  p = parse_request("HEAD / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(p.result, MessageParser::Result::kComplete);
  EXPECT_FALSE(p.request.keep_alive());
}

// --- request smuggling: framing ----------------------------------------------------------------

TEST(HttpSmugglingTest, ContentLengthWithTransferEncoding) {
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                  400, "CL.TE");
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n",
                  400, "TE.CL");
}

TEST(HttpSmugglingTest, DuplicateContentLength) {
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400,
                  "two identical Content-Length fields");
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400,
                  "two different Content-Length fields");
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\nhello", 400,
                  "a Content-Length list");
}

TEST(HttpSmugglingTest, MalformedContentLength) {
  for (const char* value : {"+5", "-1", "5a", "0x5", "5 5", "", "1e3", "99999999999999999999", "5.0"}) {
    expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::string(value) + "\r\n\r\nhello",
                    400, std::string("Content-Length '") + value + "'");
  }
}

TEST(HttpSmugglingTest, TransferEncodingVariants) {
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 400,
                  "final coding not chunked");
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400,
                  "chunked not last");
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400,
                  "chunked twice in one field");
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                  400, "chunked twice in two fields");
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n", 400,
                  "unknown coding that looks like chunked");
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked,\r\n\r\n", 400,
                  "empty list element");
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n", 400,
                  "identity (removed from HTTP/1.1)");
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501,
                  "a coding we do not implement before chunked");
  expect_rejected("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
                  "Transfer-Encoding in HTTP/1.0");
  // Case-insensitive chunked is fine.
  Parsed p = parse_request("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(p.result, MessageParser::Result::kComplete) << p.error;
}

TEST(HttpSmugglingTest, MalformedChunks) {
  const std::string head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  expect_rejected(head + "zz\r\nhello\r\n0\r\n\r\n", 400, "non-hex chunk size");
  expect_rejected(head + "-5\r\nhello\r\n0\r\n\r\n", 400, "negative chunk size");
  expect_rejected(head + "0x5\r\nhello\r\n0\r\n\r\n", 400, "0x prefix");
  expect_rejected(head + " 5\r\nhello\r\n0\r\n\r\n", 400, "space before the size");
  expect_rejected(head + "10000000000000000\r\n", 400, "size overflowing 64 bits");
  expect_rejected(head + "5\r\nhelloXX0\r\n\r\n", 400, "chunk data not followed by CRLF");
  expect_rejected(head + "5\nhello\r\n0\r\n\r\n", 400, "bare LF after the chunk size");
  expect_rejected(head + "5\r\nhello\n0\r\n\r\n", 400, "bare LF after the chunk data");
  expect_rejected(head + "5;a\rb\r\nhello\r\n0\r\n\r\n", 400, "bare CR in a chunk extension");
  expect_rejected(head + "5 junk\r\nhello\r\n0\r\n\r\n", 400, "junk after the chunk size");
  expect_rejected(head + "5\r\nhello\r\n0\r\nBad Trailer: x\r\n\r\n", 400, "bad trailer field");
  expect_rejected(head + "5\r\nhello\r\n0\r\n\n", 400, "bare LF ending the trailers");
}

// --- request smuggling: header syntax ----------------------------------------------------------

TEST(HttpSmugglingTest, ObsoleteLineFolding) {
  expect_rejected("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n", 400, "obs-fold with space");
  expect_rejected("GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n\ttwo\r\n\r\n", 400, "obs-fold with tab");
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n chunked\r\n\r\n", 400,
                  "folded Transfer-Encoding");
}

TEST(HttpSmugglingTest, BareCarriageReturn) {
  expect_rejected("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n", 400, "bare CR in a value");
  expect_rejected("GET /\r HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bare CR in the request line");
  expect_rejected("GET / HTTP/1.1\r\nHost: h\r\n\r\r\n", 400, "CR CR LF as the end of the head");
  expect_rejected("GET / HTTP/1.1\rHost: h\r\n\r\n", 400, "bare CR as the end of the request line");
  expect_rejected("GET / HTTP/1.1\r\nHost: h\rX-A: b\r\n\r\n", 400, "bare CR as the end of a field");
  expect_rejected("GET / HTTP/1.1\nHost: h\r\r\n\n", 400, "CR CR LF ending a field (bare-LF head)");
  expect_rejected("GET / HTTP/1.1\r\nX-A: a\r\rContent-Length: 5\r\nHost: h\r\n\r\nhello", 400,
                  "a field hidden behind bare CRs");
  expect_rejected("\r\rGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bare CRs before the request line");
}

// RFC 9112 section 2.2: a recipient MAY take a bare LF as a line end in the start line and the
// header section (nginx does). Every way of mixing the two gives the same request.
TEST(HttpParserTest, BareLineFeedEndsHeadLines) {
  for (std::string_view wire : {
           std::string_view("GET /x?y=1 HTTP/1.1\nHost: h\nX-A:  v \n\n"),
           std::string_view("GET /x?y=1 HTTP/1.1\nHost: h\r\nX-A:  v \r\n\r\n"),
           std::string_view("GET /x?y=1 HTTP/1.1\r\nHost: h\nX-A:  v \r\n\n"),
           std::string_view("\n\r\nGET /x?y=1 HTTP/1.1\r\nHost: h\r\nX-A:  v \n\r\n")}) {
    for (size_t step : {0u, 1u, 3u}) {
      Parsed p = parse_request(wire, step);
      ASSERT_EQ(p.result, MessageParser::Result::kComplete) << p.error << "\n" << wire;
      EXPECT_EQ(p.request.path, "/x");
      EXPECT_EQ(p.request.query, "y=1");
      EXPECT_EQ(p.request.headers.value("host"), "h");
      EXPECT_EQ(p.request.headers.value("x-a"), "v");
      EXPECT_EQ(p.consumed, wire.size());
    }
  }
  // The body after a bare-LF head starts right after the empty line.
  Parsed p = parse_request("POST / HTTP/1.1\nHost: h\nContent-Length: 3\n\nabcGET");
  ASSERT_EQ(p.result, MessageParser::Result::kComplete) << p.error;
  EXPECT_EQ(p.request.body, "abc");
  p = parse_request("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n3\r\nabc\r\n0\r\n\r\n");
  ASSERT_EQ(p.result, MessageParser::Result::kComplete) << p.error;
  EXPECT_EQ(p.request.body, "abc");
  // Limits still count every byte of a bare-LF line.
  Limits limits;
  limits.max_request_line = 100;
  EXPECT_EQ(parse_request("GET /" + std::string(200, 'a') + " HTTP/1.1\nHost: h\n\n", 0, limits).status, 414);
}

// In a chunked body a bare LF still does not end a line: the chunk lines decide where the body
// ends (the cases are in MalformedChunks: after the size, after the data, ending the trailers).
TEST(HttpSmugglingTest, BareLineFeedInChunkedFramingIsRefused) {
  const std::string head = "POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n";
  expect_rejected(head + "5\nhello\r\n0\r\n\r\n", 400, "bare LF after the chunk size");
  expect_rejected(head + "5;ext\nhello\r\n0\r\n\r\n", 400, "bare LF after a chunk extension");
  expect_rejected(head + "5\r\nhello\n0\r\n\r\n", 400, "bare LF after the chunk data");
  expect_rejected(head + "0\nX: y\r\n\r\n", 400, "bare LF after the last chunk");
  expect_rejected(head + "0\r\nX: y\n\r\n", 400, "bare LF ending a trailer field");
}

TEST(HttpSmugglingTest, InvalidFieldNames) {
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nContent-Length : 5\r\n\r\nhello", 400,
                  "space before the colon");
  expect_rejected("POST / HTTP/1.1\r\nHost: h\r\nContent-Length\t: 5\r\n\r\nhello", 400,
                  "tab before the colon");
  expect_rejected("GET / HTTP/1.1\r\nHost: h\r\n: empty\r\n\r\n", 400, "empty name");
  expect_rejected("GET / HTTP/1.1\r\nHost: h\r\nX(A): v\r\n\r\n", 400, "separator in the name");
  expect_rejected("GET / HTTP/1.1\r\nHost: h\r\nX\xC3\xA4: v\r\n\r\n", 400, "non-ASCII name");
  expect_rejected("GET / HTTP/1.1\r\nHost: h\r\nno colon here\r\n\r\n", 400, "no colon");
}

TEST(HttpSmugglingTest, ControlCharactersInValues) {
  expect_rejected(std::string("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\0b\r\n\r\n", 36), 400, "NUL in a value");
  expect_rejected("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x01" "b\r\n\r\n", 400, "SOH in a value");
  expect_rejected("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x7f\r\n\r\n", 400, "DEL in a value");
}

TEST(HttpSmugglingTest, HostField) {
  expect_rejected("GET / HTTP/1.1\r\n\r\n", 400, "HTTP/1.1 without Host");
  expect_rejected("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "two Host fields");
  expect_rejected("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "space in Host");
  expect_rejected("GET / HTTP/1.1\r\nHost: evil.test/path\r\n\r\n", 400, "path in Host");
  expect_rejected("GET / HTTP/1.1\r\nHost: user@evil.test\r\n\r\n", 400, "userinfo in Host");
  for (const char* host : {"example.test", "127.0.0.1:8080", "[::1]:80", "xn--bcher-kva.test", ""}) {
    Parsed p = parse_request("GET / HTTP/1.1\r\nHost: " + std::string(host) + "\r\n\r\n");
    EXPECT_EQ(p.result, MessageParser::Result::kComplete) << host << ": " << p.error;
  }
}

TEST(HttpSmugglingTest, MalformedRequestLines) {
  expect_rejected("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "double space");
  expect_rejected("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400, "trailing space");
  expect_rejected("GET /\r\n\r\n", 400, "HTTP/0.9");
  expect_rejected("GET / http/1.1\r\nHost: h\r\n\r\n", 400, "lowercase version");
  expect_rejected("GET / HTTP/1.10\r\nHost: h\r\n\r\n", 400, "three-digit version");
  expect_rejected("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "method not a token");
  expect_rejected("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400, "space in the target");
  expect_rejected("GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n", 400, "tab in the target");
  expect_rejected("GET /a\x7f HTTP/1.1\r\nHost: h\r\n\r\n", 400, "DEL in the target");
  expect_rejected("GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n", 400, "control in the target");
  expect_rejected("GET a HTTP/1.1\r\nHost: h\r\n\r\n", 400, "relative target");
  expect_rejected("GET /%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bad percent escape");
  expect_rejected("GET /a%00b HTTP/1.1\r\nHost: h\r\n\r\n", 400, "encoded NUL");
  expect_rejected("GET /#frag HTTP/1.1\r\nHost: h\r\n\r\n", 400, "fragment");
  expect_rejected("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505, "HTTP/2 over an HTTP/1 connection");
  expect_rejected("GET / HTTP/3.0\r\nHost: h\r\n\r\n", 505, "HTTP/3");
}

// --- limits ------------------------------------------------------------------------------------

TEST(HttpParserLimitsTest, RequestLineTooLong) {
  Limits limits;
  limits.max_request_line = 100;
  std::string wire = "GET /" + std::string(200, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n";
  EXPECT_EQ(parse_request(wire, 0, limits).status, 414);
  // Without the line end yet: refused as soon as the limit is passed.
  Parsed partial = parse_request("GET /" + std::string(200, 'a'), 0, limits);
  EXPECT_EQ(partial.status, 414);
}

TEST(HttpParserLimitsTest, HeadersTooLarge) {
  Limits limits;
  limits.max_header_bytes = 1000;
  std::string wire = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n";
  EXPECT_EQ(parse_request(wire, 0, limits).status, 431);
  EXPECT_EQ(parse_request("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(2000, 'a'), 0, limits).status, 431);
  limits = Limits();
  limits.max_header_count = 10;
  wire = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 20; ++i) wire += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(parse_request(wire + "\r\n", 0, limits).status, 431);
}

TEST(HttpParserLimitsTest, BodyTooLarge) {
  Limits limits;
  limits.max_body = 10;
  EXPECT_EQ(parse_request("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", 0, limits).status, 413);
  EXPECT_EQ(parse_request("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n", 0, limits).status, 413);
}

// --- responses (the client's side) -------------------------------------------------------------

struct ParsedResponse {
  MessageParser::Result result;
  ResponseHead head;
  std::string body;
};

ParsedResponse parse_response(std::string_view wire, bool head_request = false, bool eof = false) {
  MessageParser parser(MessageParser::Kind::kResponse);
  parser.set_head_request(head_request);
  std::string_view rest = wire;
  while (true) {
    size_t used = 0;
    auto r = parser.parse(rest, &used);
    rest.remove_prefix(used);
    if (r == MessageParser::Result::kHeadComplete) continue;
    if (r == MessageParser::Result::kNeedMore && eof) r = parser.finish_at_eof();
    return {r, parser.response(), parser.body()};
  }
}

TEST(HttpResponseParserTest, Framings) {
  auto r = parse_response("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(r.result, MessageParser::Result::kComplete);
  EXPECT_EQ(r.body, "abc");
  r = parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  EXPECT_EQ(r.body, "abc");
  r = parse_response("HTTP/1.0 200 OK\r\n\r\nuntil close", false, true);
  EXPECT_EQ(r.result, MessageParser::Result::kComplete);
  EXPECT_EQ(r.body, "until close");
  r = parse_response("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", true);
  EXPECT_EQ(r.result, MessageParser::Result::kComplete);
  EXPECT_EQ(r.body, "");
  r = parse_response("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n");
  EXPECT_EQ(r.result, MessageParser::Result::kComplete);
  r = parse_response("HTTP/1.1 204 No Content\r\n\r\n");
  EXPECT_EQ(r.head.status, 204);
  r = parse_response("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(r.result, MessageParser::Result::kComplete);
  EXPECT_EQ(r.head.reason, "");
  r = parse_response("HTTP/1.1 2000 OK\r\n\r\n");
  EXPECT_EQ(r.result, MessageParser::Result::kError);
  r = parse_response("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab", false, true);
  EXPECT_EQ(r.result, MessageParser::Result::kError);  // truncated
}

}  // namespace
}  // namespace sfs::http
