// The numeric replies the server sends (RFC 2812 section 5, RFC 1459 section 6, and the modern
// additions every client knows: 005 ISUPPORT, 265/266, 329, 333, 417). Each is sent as
// ":<server> <code> <target nick or *> <params...> :<text>".
#pragma once

namespace sfs::chat::numeric {

inline constexpr const char* kWelcome = "001";
inline constexpr const char* kYourHost = "002";
inline constexpr const char* kCreated = "003";
inline constexpr const char* kMyInfo = "004";
inline constexpr const char* kISupport = "005";
inline constexpr const char* kUModeIs = "221";
inline constexpr const char* kLuserClient = "251";
inline constexpr const char* kLuserOp = "252";
inline constexpr const char* kLuserUnknown = "253";
inline constexpr const char* kLuserChannels = "254";
inline constexpr const char* kLuserMe = "255";
inline constexpr const char* kLocalUsers = "265";
inline constexpr const char* kGlobalUsers = "266";
inline constexpr const char* kAway = "301";
inline constexpr const char* kUserHost = "302";
inline constexpr const char* kIsOn = "303";
inline constexpr const char* kUnAway = "305";
inline constexpr const char* kNowAway = "306";
inline constexpr const char* kWhoisUser = "311";
inline constexpr const char* kWhoisServer = "312";
inline constexpr const char* kEndOfWho = "315";
inline constexpr const char* kWhoisIdle = "317";
inline constexpr const char* kEndOfWhois = "318";
inline constexpr const char* kWhoisChannels = "319";
inline constexpr const char* kListStart = "321";
inline constexpr const char* kList = "322";
inline constexpr const char* kListEnd = "323";
inline constexpr const char* kChannelModeIs = "324";
inline constexpr const char* kCreationTime = "329";
inline constexpr const char* kNoTopic = "331";
inline constexpr const char* kTopic = "332";
inline constexpr const char* kTopicWhoTime = "333";
inline constexpr const char* kInviting = "341";
inline constexpr const char* kVersion = "351";
inline constexpr const char* kWhoReply = "352";
inline constexpr const char* kNamReply = "353";
inline constexpr const char* kEndOfNames = "366";
inline constexpr const char* kBanList = "367";
inline constexpr const char* kEndOfBanList = "368";
inline constexpr const char* kEndOfWhowas = "369";
inline constexpr const char* kMotd = "372";
inline constexpr const char* kMotdStart = "375";
inline constexpr const char* kEndOfMotd = "376";
inline constexpr const char* kTime = "391";

inline constexpr const char* kNoSuchNick = "401";
inline constexpr const char* kNoSuchServer = "402";
inline constexpr const char* kNoSuchChannel = "403";
inline constexpr const char* kCannotSendToChan = "404";
inline constexpr const char* kTooManyChannels = "405";
inline constexpr const char* kWasNoSuchNick = "406";
inline constexpr const char* kTooManyTargets = "407";
inline constexpr const char* kNoOrigin = "409";
inline constexpr const char* kNoRecipient = "411";
inline constexpr const char* kNoTextToSend = "412";
inline constexpr const char* kInputTooLong = "417";
inline constexpr const char* kUnknownCommand = "421";
inline constexpr const char* kNoMotd = "422";
inline constexpr const char* kNoNicknameGiven = "431";
inline constexpr const char* kErroneousNickname = "432";
inline constexpr const char* kNicknameInUse = "433";
inline constexpr const char* kUserNotInChannel = "441";
inline constexpr const char* kNotOnChannel = "442";
inline constexpr const char* kUserOnChannel = "443";
inline constexpr const char* kNotRegistered = "451";
inline constexpr const char* kNeedMoreParams = "461";
inline constexpr const char* kAlreadyRegistered = "462";
inline constexpr const char* kPasswdMismatch = "464";
inline constexpr const char* kKeySet = "467";
inline constexpr const char* kChannelIsFull = "471";
inline constexpr const char* kUnknownMode = "472";
inline constexpr const char* kInviteOnlyChan = "473";
inline constexpr const char* kBannedFromChan = "474";
inline constexpr const char* kBadChannelKey = "475";
inline constexpr const char* kBadChanMask = "476";
inline constexpr const char* kChanOPrivsNeeded = "482";
inline constexpr const char* kUModeUnknownFlag = "501";
inline constexpr const char* kUsersDontMatch = "502";
inline constexpr const char* kInvalidKey = "525";

}  // namespace sfs::chat::numeric
