// Pub/sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB.
#include "systems/kv/commands.h"

namespace sfs::kv {
namespace {

void cmd_subscribe(CommandContext& c) {
  for (size_t i = 1; i < c.argc(); ++i) c.server.subscribe(c.client, c.arg(i), false);
}

void cmd_psubscribe(CommandContext& c) {
  for (size_t i = 1; i < c.argc(); ++i) c.server.subscribe(c.client, c.arg(i), true);
}

void unsubscribe_generic(CommandContext& c, bool pattern) {
  auto& mine = pattern ? c.client.patterns : c.client.channels;
  if (c.argc() == 1) {
    if (mine.empty()) {
      c.reply.push(3);
      c.reply.bulk(pattern ? "punsubscribe" : "unsubscribe");
      c.reply.null();
      c.reply.integer(static_cast<int64_t>(c.client.subscriptions()));
      return;
    }
    std::vector<std::string> all(mine.begin(), mine.end());
    for (const auto& ch : all) c.server.unsubscribe(c.client, ch, pattern, true);
    return;
  }
  for (size_t i = 1; i < c.argc(); ++i) c.server.unsubscribe(c.client, c.arg(i), pattern, true);
}

void cmd_unsubscribe(CommandContext& c) { unsubscribe_generic(c, false); }
void cmd_punsubscribe(CommandContext& c) { unsubscribe_generic(c, true); }

void cmd_publish(CommandContext& c) {
  c.reply.integer(static_cast<int64_t>(c.server.publish(c.arg(1), c.arg(2))));
}

void cmd_pubsub(CommandContext& c) {
  std::string_view sub = c.arg(1);
  if (eq(sub, "channels") && c.argc() <= 3) {
    auto names = c.server.channel_names(c.argc() == 3 ? c.arg(2) : "");
    c.reply.array(names.size());
    for (const auto& n : names) c.reply.bulk(n);
  } else if (eq(sub, "numsub")) {
    // A flat array even in RESP3 (Redis 7.0 does not send a map here).
    c.reply.array((c.argc() - 2) * 2);
    for (size_t i = 2; i < c.argc(); ++i) {
      c.reply.bulk(c.arg(i));
      c.reply.integer(static_cast<int64_t>(c.server.channel_subscribers(c.arg(i))));
    }
  } else if (eq(sub, "numpat") && c.argc() == 2) {
    c.reply.integer(static_cast<int64_t>(c.server.pattern_count()));
  } else if (eq(sub, "shardchannels") && c.argc() <= 3) {
    c.reply.array(0);
  } else if (eq(sub, "shardnumsub")) {
    c.reply.array((c.argc() - 2) * 2);
    for (size_t i = 2; i < c.argc(); ++i) {
      c.reply.bulk(c.arg(i));
      c.reply.integer(0);
    }
  } else if (eq(sub, "help")) {
    const char* lines[] = {
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]", "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT", "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]", "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "HELP", "    Prints this help."};
    c.reply.array(std::size(lines));
    for (const char* l : lines) c.reply.simple(l);
  } else {
    reply_subcommand_error(c, "pubsub", {"channels", "numsub", "numpat", "shardchannels", "shardnumsub", "help"});
  }
}

}  // namespace

void register_pubsub_commands(std::vector<CommandSpec>& t) {
  t.push_back({"subscribe", cmd_subscribe, -2, kPubSub | kSubscribeOk | kLoading, 0, 0, 0, "pubsub", "2.0.0", "Listen for messages published to the given channels", "channel [channel ...]"});
  t.push_back({"psubscribe", cmd_psubscribe, -2, kPubSub | kSubscribeOk | kLoading, 0, 0, 0, "pubsub", "2.0.0", "Listen for messages published to channels matching the given patterns", "pattern [pattern ...]"});
  t.push_back({"unsubscribe", cmd_unsubscribe, -1, kPubSub | kSubscribeOk | kLoading, 0, 0, 0, "pubsub", "2.0.0", "Stop listening for messages posted to the given channels", "[channel [channel ...]]"});
  t.push_back({"punsubscribe", cmd_punsubscribe, -1, kPubSub | kSubscribeOk | kLoading, 0, 0, 0, "pubsub", "2.0.0", "Stop listening for messages posted to channels matching the given patterns", "[pattern [pattern ...]]"});
  t.push_back({"publish", cmd_publish, 3, kPubSub | kFast | kLoading, 0, 0, 0, "pubsub", "2.0.0", "Post a message to a channel", "channel message"});
  t.push_back({"pubsub", cmd_pubsub, -2, kContainer | kPubSub | kLoading, 0, 0, 0, "pubsub", "2.8.0", "A container for Pub/Sub commands", "subcommand [argument [argument ...]]"});
}

}  // namespace sfs::kv
