#include "crawler/fetch/error_kind.h"

namespace crawler {

std::string error_token(ErrorKind kind, int status) {
  switch (kind) {
    case ErrorKind::kNone:
    case ErrorKind::kOther:
      return "other";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kTooSlow:
      return "too_slow";
    case ErrorKind::kConnect:
      return "connect";
    case ErrorKind::kDns:
      return "dns";
    case ErrorKind::kProxy:
      return "proxy";
    case ErrorKind::kReset:
      return "reset";
    case ErrorKind::kPartial:
      return "partial";
    case ErrorKind::kEmptyReply:
      return "empty_reply";
    case ErrorKind::kProtocol:
      return "protocol";
    case ErrorKind::kScheme:
      return "scheme";
    case ErrorKind::kTls:
      return "tls";
    case ErrorKind::kHeadersTooLarge:
      return "headers_too_large";
    case ErrorKind::kTooLarge:
      return "too_large";
    case ErrorKind::kEncoding:
      return "encoding";
    case ErrorKind::kAborted:
      return "aborted";
    case ErrorKind::kBadUrl:
      return "bad_url";
    case ErrorKind::kRobots:
      return "robots";
    case ErrorKind::kRedirect:
      return "redirect";
    case ErrorKind::kHttpStatus:
      return "http_" + std::to_string(status);
    case ErrorKind::kHostUnreachable:
      return "host_unreachable";
    case ErrorKind::kInternal:
      return "internal";
  }
  return "other";
}

bool is_network_failure(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kTimeout:
    case ErrorKind::kTooSlow:
    case ErrorKind::kConnect:
    case ErrorKind::kDns:
    case ErrorKind::kReset:
    case ErrorKind::kEmptyReply:
    case ErrorKind::kPartial:
      return true;
    default:
      return false;
  }
}

}  // namespace crawler
