// The contract every FrontierSpill must pass (crawler/frontier/frontier_spill.h): a FIFO of
// new URLs that keeps what identifies them and hands them back with their keys derived. A spill
// instantiates it with a factory type holding what the spill needs (a folder, a connection):
//   struct Factory { std::unique_ptr<FrontierSpill> make(); };
// e.g. INSTANTIATE_TYPED_TEST_SUITE_P(State, FrontierSpillContract, StateSpillFactory);
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "crawler/frontier/frontier_spill.h"
#include "tests/support/frontier_contract.h"

namespace crawler::testing {

template <typename Factory>
class FrontierSpillContract : public ::testing::Test {
 protected:
  FrontierSpill& spill() {
    if (!spill_) spill_ = factory_.make();
    return *spill_;
  }

 private:
  Factory factory_;
  std::unique_ptr<FrontierSpill> spill_;
};

TYPED_TEST_SUITE_P(FrontierSpillContract);

TYPED_TEST_P(FrontierSpillContract, PopsTheOldestFirstInPushOrder) {
  FrontierSpill& spill = this->spill();
  std::vector<CrawlJob> first;
  std::vector<CrawlJob> second;
  for (int i = 0; i < 5; ++i)
    first.push_back(frontier_job("http://a.example/" + std::to_string(i)));
  for (int i = 5; i < 8; ++i)
    second.push_back(frontier_job("http://b.example/" + std::to_string(i)));
  spill.push(first);
  spill.push(second);
  std::vector<std::string> order;
  for (const CrawlJob& job : spill.pop(3)) order.push_back(job.url);
  for (const CrawlJob& job : spill.pop(100)) order.push_back(job.url);
  EXPECT_EQ(order, (std::vector<std::string>{"http://a.example/0", "http://a.example/1",
                                             "http://a.example/2", "http://a.example/3",
                                             "http://a.example/4", "http://b.example/5",
                                             "http://b.example/6", "http://b.example/7"}));
  EXPECT_TRUE(spill.pop(10).empty());
}

TYPED_TEST_P(FrontierSpillContract, KeepsWhatIdentifiesAUrlAndDerivesItsKeys) {
  FrontierSpill& spill = this->spill();
  CrawlJob job = frontier_job("http://a.example:8080/page?q=1", 3);
  job.referrer = "http://a.example:8080/";
  spill.push({job});
  const std::vector<CrawlJob> back = spill.pop(1);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].url, job.url);
  EXPECT_EQ(back[0].depth, 3);
  EXPECT_EQ(back[0].referrer, "http://a.example:8080/");
  EXPECT_EQ(back[0].host, "a.example");
  EXPECT_EQ(back[0].origin, "http://a.example:8080");
  EXPECT_EQ(back[0].kind, CrawlJob::Kind::kPage);
  EXPECT_FALSE(back[0].continuation());
}

TYPED_TEST_P(FrontierSpillContract, PopOfAnEmptySpillIsEmpty) {
  FrontierSpill& spill = this->spill();
  EXPECT_TRUE(spill.pop(10).empty());
  spill.push({});
  EXPECT_TRUE(spill.pop(10).empty());
}

REGISTER_TYPED_TEST_SUITE_P(FrontierSpillContract, PopsTheOldestFirstInPushOrder,
                            KeepsWhatIdentifiesAUrlAndDerivesItsKeys, PopOfAnEmptySpillIsEmpty);

}  // namespace crawler::testing
