#include "crawler/fetch/fetcher.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdio>
#include <string>

#include "tests/support/test_server.h"

namespace crawler {
namespace {

std::string sha256_digest(const std::string& body) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(body.data(), body.size(), hash, &size, EVP_sha256(), nullptr);
  std::string hex = "sha256:";
  char byte[3];
  for (unsigned int i = 0; i < size; ++i) {
    const unsigned char b = hash[i];
    std::snprintf(byte, sizeof byte, "%02x", b);
    hex += byte;
  }
  return hex;
}

// A recycled buffer lends the next fetch its capacity only: a shorter page that follows a
// longer one comes back whole and alone, with its own digest.
TEST(FetcherTest, RecycledBufferHoldsOnlyTheNextBody) {
  testing::TestServer server;
  const std::string long_page(200000, 'L');
  const std::string short_page = "<p>short</p>";
  server.route("/long", [&](const testing::Request&) {
    testing::Response r;
    r.body = long_page;
    return r;
  });
  server.route("/short", [&](const testing::Request&) {
    testing::Response r;
    r.body = short_page;
    return r;
  });
  FetchConfig config;
  config.user_agent = "crawler-test";
  Fetcher fetcher(config, nullptr);

  FetchResponse first = fetcher.fetch(server.base_url() + "/long");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.body, long_page);
  fetcher.recycle(std::move(first.body));

  const FetchResponse second = fetcher.fetch(server.base_url() + "/short");
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(second.body, short_page);
  EXPECT_EQ(second.digest, sha256_digest(short_page));
  EXPECT_GE(second.body.capacity(), long_page.size()) << "the recycled capacity was not reused";

  // Over 1 MiB a buffer is not kept: a huge page does not pin its memory in every worker.
  std::string huge;
  huge.reserve((std::size_t{1} << 20) + 1);
  fetcher.recycle(std::move(huge));
  const FetchResponse third = fetcher.fetch(server.base_url() + "/short");
  EXPECT_EQ(third.body, short_page);
  EXPECT_LT(third.body.capacity(), std::size_t{1} << 20);
}

}  // namespace
}  // namespace crawler
