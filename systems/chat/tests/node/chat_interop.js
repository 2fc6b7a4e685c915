// Two irc-framework clients chat through an IRC server: both register, join a channel, exchange
// a channel message and a private message, see a topic and a nick change, and quit.
//
//   node chat_interop.js PORT
//
// Prints one line per step and "OK" at the end; exits non-zero (with the reason) on failure or
// after 30 seconds.
'use strict';
const IRC = require('irc-framework');

const port = Number(process.argv[2]);
const channel = '#interop';
const deadline = setTimeout(() => fail('timed out'), 30000);

function fail(why) {
  console.log('FAIL: ' + why);
  process.exit(1);
}

function connect(nick) {
  const client = new IRC.Client();
  client.connect({ host: '127.0.0.1', port, nick, username: nick, gecos: nick + ' (irc-framework)',
                   auto_reconnect: false });
  client.on('close', () => { if (!client.done) fail(nick + ' lost its connection'); });
  client.on('irc error', (e) => console.log(nick + ' got error: ' + JSON.stringify(e)));
  return client;
}

// Resolves when `event` fires on `client` with a payload that satisfies `test`.
function waitFor(client, event, test) {
  return new Promise((resolve) => {
    const handler = (e) => {
      if (test(e)) {
        client.removeListener(event, handler);
        resolve(e);
      }
    };
    client.on(event, handler);
  });
}

async function main() {
  const alice = connect('alice');
  const bob = connect('bob');
  await Promise.all([waitFor(alice, 'registered', () => true), waitFor(bob, 'registered', () => true)]);
  console.log('registered: ' + alice.user.nick + ', ' + bob.user.nick);
  if (!alice.network.supports('CHANTYPES')) fail('no ISUPPORT seen');

  alice.join(channel);
  await waitFor(alice, 'join', (e) => e.nick === 'alice' && e.channel === channel);
  const bobSeen = waitFor(alice, 'join', (e) => e.nick === 'bob' && e.channel === channel);
  bob.join(channel);
  await waitFor(bob, 'userlist', (e) => e.channel === channel && e.users.some((u) => u.nick === 'alice'));
  await bobSeen;
  console.log('both joined ' + channel);

  const channelMessage = waitFor(bob, 'privmsg', (e) => e.target === channel && e.nick === 'alice');
  alice.say(channel, 'hello from irc-framework');
  const got = await channelMessage;
  if (got.message !== 'hello from irc-framework') fail('channel text was ' + got.message);
  console.log('channel message delivered');

  const privateMessage = waitFor(alice, 'privmsg', (e) => e.target === 'alice' && e.nick === 'bob');
  bob.say('alice', 'a private hello');
  const priv = await privateMessage;
  if (priv.message !== 'a private hello') fail('private text was ' + priv.message);
  console.log('private message delivered');

  const action = waitFor(bob, 'action', (e) => e.target === channel && e.nick === 'alice');
  alice.action(channel, 'waves');
  if ((await action).message !== 'waves') fail('action text');
  console.log('action delivered');

  const topic = waitFor(bob, 'topic', (e) => e.channel === channel && e.topic === 'interop topic');
  alice.setTopic(channel, 'interop topic');
  await topic;
  console.log('topic seen');

  const nick = waitFor(alice, 'nick', (e) => e.nick === 'bob' && e.new_nick === 'bobby');
  bob.changeNick('bobby');
  await nick;
  console.log('nick change seen');

  const quit = waitFor(alice, 'quit', (e) => e.nick === 'bobby');
  bob.done = true;
  bob.quit('done here');
  const q = await quit;
  console.log('quit seen: ' + q.message);

  alice.done = true;
  alice.quit('bye');
  clearTimeout(deadline);
  console.log('OK');
  setTimeout(() => process.exit(0), 200);
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
