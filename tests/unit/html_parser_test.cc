#include "crawler/html/html_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/html/charset.h"

namespace crawler {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

ParsedPage parse(std::string_view html, ParseOptions options = {}) {
  return parse_html(html, options);
}

std::vector<std::string> hrefs(const ParsedPage& page) {
  std::vector<std::string> hrefs;
  for (const RawLink& link : page.links) hrefs.push_back(link.href);
  return hrefs;
}

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) out.append(piece);
  return out;
}

TEST(HtmlParserTest, TitleIsCollapsedAndTrimmed) {
  const ParsedPage page = parse("<html><head><title>\n  Hello \t  big\n World  </title></head>");
  EXPECT_EQ(page.title, "Hello big World");
  EXPECT_TRUE(page.text.empty());  // the title is not body text
}

TEST(HtmlParserTest, TitleIsEntityDecodedAndTheFirstOneWins) {
  const ParsedPage page = parse("<title>Fish &amp; Chips</title><body><title>Second</title>");
  EXPECT_EQ(page.title, "Fish & Chips");
}

TEST(HtmlParserTest, SvgTitleIsNotThePageTitle) {
  const ParsedPage page = parse("<body><svg><title>Icon</title></svg><title>Page</title>");
  EXPECT_EQ(page.title, "Page");
}

TEST(HtmlParserTest, UnclosedTitleIsCapped) {
  // An unclosed <title> makes the rest of the page its text; the title stays bounded, and is cut
  // between characters.
  const ParsedPage page = parse("<title>" + repeat("\xC3\xA9", 5000));
  EXPECT_EQ(page.title.size(), kMaxTitleBytes);
  EXPECT_TRUE(is_valid_utf8(page.title));
  const ParsedPage odd = parse("<title>x" + repeat("\xC3\xA9", 5000));
  EXPECT_EQ(odd.title.size(), kMaxTitleBytes - 1);
  EXPECT_TRUE(is_valid_utf8(odd.title));
}

TEST(HtmlParserTest, BaseHref) {
  EXPECT_EQ(parse("<head><base target=_top><base href=' /dir/ '><base href=/other/>").base_href,
            "/dir/");
  EXPECT_EQ(parse("<base href='http://x.test/a?b=1&amp;c=2'>").base_href,
            "http://x.test/a?b=1&c=2");
  EXPECT_EQ(parse("<p>no base</p>").base_href, "");
}

TEST(HtmlParserTest, EachLinkSource) {
  const ParsedPage page = parse(R"(<html><head>
      <link rel=alternate hreflang=fr href=/fr>
      <link rel=next href=/page2>
      <link rel=prev href=/page0>
      </head><body>
      <a href=/anchor>a</a>
      <map><area href=/area shape=rect coords=0,0,1,1></map>
      <iframe src=/iframe></iframe>
      </body></html>)");
  ASSERT_EQ(page.links.size(), 6u);
  EXPECT_THAT(hrefs(page), ElementsAre("/fr", "/page2", "/page0", "/anchor", "/area", "/iframe"));
  EXPECT_EQ(page.links[0].source, LinkSource::kLinkAlternate);
  EXPECT_EQ(page.links[1].source, LinkSource::kLinkNext);
  EXPECT_EQ(page.links[2].source, LinkSource::kLinkPrev);
  EXPECT_EQ(page.links[3].source, LinkSource::kAnchor);
  EXPECT_EQ(page.links[4].source, LinkSource::kArea);
  EXPECT_EQ(page.links[5].source, LinkSource::kIframe);
  for (const RawLink& link : page.links) EXPECT_FALSE(link.nofollow) << link.href;
}

TEST(HtmlParserTest, FrameLinks) {
  const ParsedPage page = parse(
      "<html><frameset cols='50%,50%'><frame src=left.html><frame src=right.html>"
      "</frameset></html>");
  EXPECT_THAT(hrefs(page), ElementsAre("left.html", "right.html"));
  ASSERT_EQ(page.links.size(), 2u);
  EXPECT_EQ(page.links[0].source, LinkSource::kFrame);
  EXPECT_EQ(page.links[1].source, LinkSource::kFrame);
}

TEST(HtmlParserTest, RelNofollow) {
  const ParsedPage page = parse(
      "<a href=/1 rel=nofollow>1</a>"
      "<a href=/2 rel='external  NoFollow'>2</a>"
      "<a href=/3 rel=nofollowers>3</a>"
      "<a href=/4>4</a>"
      "<area href=/5 rel=NOFOLLOW>"
      "<link rel='alternate nofollow' href=/6>");
  ASSERT_EQ(page.links.size(), 6u);
  EXPECT_TRUE(page.links[0].nofollow);
  EXPECT_TRUE(page.links[1].nofollow);
  EXPECT_FALSE(page.links[2].nofollow);  // a token, not a substring
  EXPECT_FALSE(page.links[3].nofollow);
  EXPECT_TRUE(page.links[4].nofollow);
  EXPECT_TRUE(page.links[5].nofollow);
}

TEST(HtmlParserTest, LinkRelTokensAreCaseInsensitive) {
  const ParsedPage page =
      parse("<link REL='Alternate' href=/a><link rel=' NEXT ' href=/n><link rel=Prev href=/p>");
  ASSERT_EQ(page.links.size(), 3u);
  EXPECT_EQ(page.links[0].source, LinkSource::kLinkAlternate);
  EXPECT_EQ(page.links[1].source, LinkSource::kLinkNext);
  EXPECT_EQ(page.links[2].source, LinkSource::kLinkPrev);
}

TEST(HtmlParserTest, OtherLinkRelsAreIgnored) {
  const ParsedPage page = parse(
      "<link rel=stylesheet href=/s.css>"
      "<link rel='alternate stylesheet' href=/alt.css>"
      "<link rel=icon href=/favicon.ico>"
      "<link rel=canonical href=/c>"
      "<link href=/no-rel>"
      "<link rel=alternates href=/not-a-token>"
      "<link rel=next href=/kept>");
  EXPECT_THAT(hrefs(page), ElementsAre("/kept"));
}

TEST(HtmlParserTest, HrefsAreEntityDecodedAndTrimmed) {
  const ParsedPage page = parse(
      "<a href='/a?x=1&amp;y=2'>a</a>"
      "<a href='/b?x=1&y=2&copy=3'>b</a>"
      "<a href=\"\n\t /c  \">c</a>"
      "<a href='&#x2F;d'>d</a>");
  EXPECT_THAT(hrefs(page), ElementsAre("/a?x=1&y=2", "/b?x=1&y=2&copy=3", "/c", "/d"));
}

TEST(HtmlParserTest, EmptyAndMissingHrefsAreDropped) {
  const ParsedPage page = parse(
      "<a href=''>self</a><a href='   '>self</a><a name=anchor>no href</a><a href>bare</a>"
      "<iframe></iframe><iframe src=''></iframe><a href='#top'>fragment</a>");
  EXPECT_THAT(hrefs(page), ElementsAre("#top"));
}

TEST(HtmlParserTest, LinksInScriptsTemplatesAndSvgAreNotLinks) {
  const ParsedPage page = parse(
      "<script>document.write('<a href=\"/script\">x</a>');</script>"
      "<template><a href=/template>t</a></template>"
      "<svg><a href=/svg><text>s</text></a></svg>"
      "<textarea><a href=/textarea></textarea>"
      "<!-- <a href=/comment> -->"
      "<noscript><a href=/noscript>n</a></noscript>");
  // <noscript> content is markup when scripting is off, as it is for a crawler.
  EXPECT_THAT(hrefs(page), ElementsAre("/noscript"));
}

TEST(HtmlParserTest, MetaRobots) {
  const ParsedPage nofollow = parse("<meta name=robots content='index, nofollow'>");
  EXPECT_TRUE(nofollow.meta_nofollow);
  EXPECT_FALSE(nofollow.meta_noindex);

  const ParsedPage noindex = parse("<meta name='ROBOTS' content='NOINDEX,follow'>");
  EXPECT_FALSE(noindex.meta_nofollow);
  EXPECT_TRUE(noindex.meta_noindex);

  const ParsedPage none = parse("<meta name=Robots content=None>");
  EXPECT_TRUE(none.meta_nofollow);
  EXPECT_TRUE(none.meta_noindex);

  const ParsedPage spaces = parse("<meta name=robots content='noindex nofollow'>");
  EXPECT_TRUE(spaces.meta_nofollow);
  EXPECT_TRUE(spaces.meta_noindex);
}

TEST(HtmlParserTest, MetaRobotsIgnoresOtherMetasAndPartialWords) {
  const ParsedPage page = parse(
      "<meta name=googlebot content=none>"
      "<meta name=description content='noindex nofollow'>"
      "<meta name=robots content='index, follow, nofollowing, noindexed'>");
  EXPECT_FALSE(page.meta_nofollow);
  EXPECT_FALSE(page.meta_noindex);
}

TEST(HtmlParserTest, MetaCharset) {
  EXPECT_EQ(parse("<head><meta charset=' UTF-8 '>").meta_charset, "utf-8");
  EXPECT_EQ(
      parse("<meta http-equiv=Content-Type content='text/html; charset=ISO-8859-1'>").meta_charset,
      "iso-8859-1");
  EXPECT_EQ(parse("<meta http-equiv=refresh content='0; charset=gbk'>").meta_charset, "");
  EXPECT_EQ(parse("<meta charset=koi8-r><meta charset=gbk>").meta_charset, "koi8-r");
  EXPECT_EQ(parse("<p>nothing</p>").meta_charset, "");
}

TEST(HtmlParserTest, InvisibleTextIsExcluded) {
  const ParsedPage page = parse(
      "<html><head><title>T</title><style>h1{}</style><script>var head;</script></head>"
      "<body>visible<script>var x = 1;</script><style>p { color: red }</style>"
      "<noscript>enable js</noscript><template>tpl</template>"
      "<iframe>fallback</iframe><!-- comment --> text</body></html>");
  EXPECT_EQ(page.text, "visible text");
}

TEST(HtmlParserTest, WhitespaceIsCollapsed) {
  EXPECT_EQ(parse("<body>  a \n\t  b   <span> c </span>d  </body>").text, "a b c d");
  EXPECT_EQ(parse("<body><span>a</span><span>b</span><b>c</b></body>").text, "abc");
  // Non-breaking spaces are content, not layout.
  EXPECT_EQ(parse("<body>a&nbsp;&nbsp;b</body>").text,
            "a\xC2\xA0\xC2\xA0"
            "b");
}

TEST(HtmlParserTest, BlocksAreSeparated) {
  EXPECT_EQ(parse("<p>one</p><p>two</p><div>three<br>four</div><ul><li>five<li>six</ul>").text,
            "one\ntwo\nthree\nfour\nfive\nsix");
  EXPECT_EQ(parse("<h1>Title</h1>  <p>\n body \n</p>").text, "Title\nbody");
  EXPECT_EQ(parse("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>").text,
            "a b\nc");
  EXPECT_EQ(parse("<div><div><p>  </p></div></div>").text, "");
}

TEST(HtmlParserTest, TextOnlyWhenRequested) {
  ParseOptions options;
  options.want_text = false;
  const ParsedPage page = parse("<title>t</title><p>text <a href=/x>x</a></p>", options);
  EXPECT_EQ(page.text, "");
  EXPECT_EQ(page.title, "t");
  EXPECT_THAT(hrefs(page), ElementsAre("/x"));
}

TEST(HtmlParserTest, TextCapCutsOnACharacterBoundary) {
  ParseOptions options;
  options.max_text = 5;
  // "ééé" is six bytes: the third character does not fit and must not be half-written.
  EXPECT_EQ(parse("<p>\xC3\xA9\xC3\xA9\xC3\xA9</p>", options).text, "\xC3\xA9\xC3\xA9");
  options.max_text = 4;
  EXPECT_EQ(parse("<p>ab</p><p>\xE2\x82\xAC</p>", options).text, "ab");
  options.max_text = 6;
  EXPECT_EQ(parse("<p>ab</p><p>\xE2\x82\xAC</p>", options).text, "ab\n\xE2\x82\xAC");
  options.max_text = 0;
  EXPECT_EQ(parse("<p>ab</p>", options).text, "");
}

TEST(HtmlParserTest, TextCapStillCollectsLinks) {
  ParseOptions options;
  options.max_text = 10;
  const ParsedPage page =
      parse("<p>" + std::string(100, 'x') + "</p><a href=/after>after</a>", options);
  EXPECT_EQ(page.text, std::string(10, 'x'));
  EXPECT_THAT(hrefs(page), ElementsAre("/after"));
}

TEST(HtmlParserTest, MaxLinksTruncation) {
  ParseOptions options;
  options.max_links = 3;
  const ParsedPage exact = parse("<a href=1>1</a><a href=2>2</a><a href=3>3</a>", options);
  EXPECT_THAT(hrefs(exact), ElementsAre("1", "2", "3"));
  EXPECT_FALSE(exact.links_truncated);

  const ParsedPage over =
      parse("<a href=1>1</a><a href=2>2</a><a href=3>3</a><a href=4>4</a><a href=5>5</a>", options);
  EXPECT_THAT(hrefs(over), ElementsAre("1", "2", "3"));
  EXPECT_TRUE(over.links_truncated);
}

TEST(HtmlParserTest, MalformedHtml) {
  const ParsedPage unclosed = parse("<div><a href=/x>link<p>para<b>bold<table><tr><td>cell");
  EXPECT_THAT(hrefs(unclosed), ElementsAre("/x"));
  EXPECT_EQ(unclosed.text, "link\nparabold\ncell");

  const ParsedPage stray = parse("</p></div>text</a></html><a href=/y>y</a></body>");
  EXPECT_THAT(hrefs(stray), ElementsAre("/y"));
  EXPECT_EQ(stray.text, "texty");

  const ParsedPage broken_attributes = parse("<a href=\"/z>z</a><a href=/w>w</a>");
  EXPECT_TRUE(is_valid_utf8(broken_attributes.text));
}

TEST(HtmlParserTest, GarbageBytes) {
  const std::string garbage("\xFF\xFE\x00<<>><\x80\x81<a href='\xC3'>\x00\xC0</", 26);
  const ParsedPage page = parse(garbage);
  EXPECT_TRUE(is_valid_utf8(page.text));
  ASSERT_EQ(page.links.size(), 1u);
  EXPECT_EQ(page.links[0].href, "\xEF\xBF\xBD");  // invalid UTF-8 became U+FFFD
}

TEST(HtmlParserTest, EmptyInput) {
  const ParsedPage page = parse("");
  EXPECT_EQ(page.title, "");
  EXPECT_EQ(page.text, "");
  EXPECT_THAT(page.links, IsEmpty());
  EXPECT_FALSE(page.meta_nofollow);
  EXPECT_FALSE(page.markup_limited);
}

TEST(HtmlParserTest, OnlyText) {
  const ParsedPage page = parse("  just some\ntext  ");
  EXPECT_EQ(page.text, "just some text");
  EXPECT_THAT(page.links, IsEmpty());
}

TEST(HtmlParserTest, DeeplyNestedDivs) {
  constexpr std::size_t kDepth = 200000;
  const std::string html = "<html><body>" + repeat("<div>", kDepth) + "deep" +
                           repeat("</div>", kDepth) + "<a href=/after>after</a>";
  const ParsedPage page = parse(html);
  EXPECT_TRUE(page.markup_limited);
  EXPECT_EQ(page.text, "deep\nafter");
  EXPECT_THAT(hrefs(page), ElementsAre("/after"));
}

TEST(HtmlParserTest, ModeratelyNestedPagesAreUntouched) {
  constexpr std::size_t kDepth = 400;
  const std::string html = repeat("<div><span>", kDepth / 2) + "<a href=/deep>deep</a>" +
                           repeat("</span></div>", kDepth / 2);
  const ParsedPage page = parse(html);
  EXPECT_FALSE(page.markup_limited);
  EXPECT_THAT(hrefs(page), ElementsAre("/deep"));
}

TEST(HtmlParserTest, SloppyButOrdinaryMarkupIsNotLimited) {
  // Thousands of unclosed <p>, <li>, <td>, <option> and <font> elements nest nowhere in a
  // browser; the pre-scan must agree and leave the page alone.
  std::string html = "<body><font face=arial>";
  for (int i = 0; i < 3000; ++i) {
    const std::string n = std::to_string(i);
    html.append("<p>para ").append(n).append("<font size=2>small<li>item<a href=/");
    html.append(n).append(">l</a><b>bold");
    html += "<table><tr><td>c<td>d<tr><td>e</table><select><option>o<option>p</select>";
  }
  const ParsedPage page = parse(html);
  EXPECT_FALSE(page.markup_limited);
  EXPECT_EQ(page.links.size(), 3000u);
}

TEST(HtmlParserTest, FormattingElementCloneBombIsCut) {
  // Every unclosed <b> (distinct, so Noah's Ark does not apply) is reopened in every later
  // paragraph: 5,000 paragraphs would take Gumbo gigabytes.
  std::string html = "<body>";
  for (int i = 0; i < 5000; ++i) html += "<p><b id=" + std::to_string(i) + ">x</p>";
  const ParsedPage page = parse(html);
  EXPECT_TRUE(page.markup_limited);
  EXPECT_THAT(page.text, ::testing::StartsWith("x\nx\nx"));
}

TEST(HtmlParserTest, AdoptionAgencyNestingIsLimited) {
  // </b> with a block inside moves the <b> into the block: the tree deepens by two per repeat.
  const ParsedPage page = parse("<body>" + repeat("<b><div></b>", 20000) + "<a href=/z>z</a>");
  EXPECT_TRUE(page.markup_limited);
}

std::string attributes(int count, const std::string& prefix = "x") {
  std::string names;
  for (int i = 0; i < count; ++i) names += " " + prefix + std::to_string(i);
  return names;
}

TEST(HtmlParserTest, AttributesPastTheCapAreDropped) {
  // Gumbo compares each name with every earlier one: 40,000 attributes in one tag took 3.6 s.
  const ParsedPage many = parse("<a" + attributes(40000) + " href=/late>l</a><a href=/next>n</a>");
  EXPECT_TRUE(many.markup_limited);
  EXPECT_THAT(hrefs(many), ElementsAre("/next"));
  EXPECT_EQ(many.text, "ln");
  const ParsedPage early = parse("<a href=/early" + attributes(400) + ">e</a><a" + attributes(300) +
                                 " href=/late/><a href=/z " + attributes(255) + ">z</a>");
  EXPECT_TRUE(early.markup_limited);
  EXPECT_THAT(hrefs(early), ElementsAre("/early", "/z"));
  // End tags are tokenized the same way; quoted values with '>' and spaces are one attribute.
  EXPECT_TRUE(parse("<p>a</p" + attributes(300) + "><a href=/b>b</a>").markup_limited);
  const ParsedPage quoted = parse("<a href=/q " + repeat("t='> x' ", 255) + ">q</a>");
  EXPECT_FALSE(quoted.markup_limited);
  EXPECT_THAT(hrefs(quoted), ElementsAre("/q"));
}

TEST(HtmlParserTest, AnUnterminatedTagCutShortStaysUnterminated) {
  // The tokenizer drops a tag the input ends in; cutting its attributes must not close it.
  for (const std::string& end : {std::string(), std::string(" y='a>")}) {
    const ParsedPage page = parse("<p>t</p><a href=/early" + attributes(300) + end);
    EXPECT_TRUE(page.markup_limited);
    EXPECT_THAT(hrefs(page), IsEmpty()) << end;
  }
}

TEST(HtmlParserTest, RootAttributesPastTheCapAreDropped) {
  // Every <html> and <body> adds its new attributes to the first one: 20,000 <html> tags with
  // one attribute each took 1.4 s.
  std::string html;
  for (int i = 0; i < 20000; ++i) html += "<html a" + std::to_string(i) + "><body b>";
  const ParsedPage page = parse(html + "<a href=/after>after</a>");
  EXPECT_TRUE(page.markup_limited);
  EXPECT_THAT(hrefs(page), ElementsAre("/after"));
  EXPECT_FALSE(parse("<html lang=en" + attributes(200) + "><body class=a" + attributes(50, "y") +
                     "><a href=/x>x</a>")
                   .markup_limited);
}

TEST(HtmlParserTest, ATagCutShortAndThenDroppedLeavesNothing) {
  // Too deep to keep and too many attributes: the tag goes, its content stays.
  const ParsedPage page = parse(repeat("<div>", 600) + "<a href=/deep" + attributes(300) +
                                ">inner</a>" + repeat("</div>", 600) + "<a href=/after>after</a>");
  EXPECT_TRUE(page.markup_limited);
  EXPECT_EQ(page.text, "inner\nafter");
  EXPECT_THAT(hrefs(page), ElementsAre("/after"));
}

TEST(HtmlParserTest, ForeignContentThatAbortsGumboIsDefused) {
  // Each of these fails an assertion in Debian's Gumbo 0.10.1, which would abort the process.
  for (const char* html :
       {"<table><svg><select><title><select><table>", "<table><math><select><mi><select><th>",
        "<TABLE><SVG\n><select><title><select><table>"}) {
    SCOPED_TRACE(html);
    const ParsedPage page = parse(std::string(html) + "<a href=/after>after</a>");
    EXPECT_THAT(hrefs(page), ElementsAre("/after"));
  }
}

TEST(HtmlParserTest, SvgAndMathTextIsKept) {
  const ParsedPage page = parse(
      "<p>E = <math><mi>m</mi><msup><mi>c</mi><mn>2</mn></msup></math></p>"
      "<svg viewBox='0 0 10 10'><text>label</text><path d='M0 0'/><path d='M1 1'/></svg>"
      "<p>after</p>");
  EXPECT_EQ(page.text, "E = mc2\nlabel\nafter");
}

TEST(HtmlParserTest, MarkupCannotHideFromThePreScan) {
  // Constructs the pre-scan could misread as a comment, raw text or part of a tag, where Gumbo
  // sees markup: the nesting after them must still be limited.
  ParseOptions options;
  options.max_depth = 100;
  const std::string nesting = repeat("<div>", 1000) + "x";
  for (const char* prefix :
       {"<!-- --!>", "<!-->", "<select><style></select>", "<select><plaintext></select>", "<p =\">",
        "<!doctype x=\">", "<? x=\">", "</ x=\">"}) {
    SCOPED_TRACE(prefix);
    EXPECT_TRUE(parse(prefix + nesting, options).markup_limited);
  }
}

// Runs `fn` on a thread with a small stack, where per-level recursion would overflow quickly.
template <typename Fn>
void run_with_small_stack(Fn fn) {
  pthread_attr_t attributes;
  ASSERT_EQ(pthread_attr_init(&attributes), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attributes, std::size_t{256} * 1024), 0);
  pthread_t thread;
  ASSERT_EQ(pthread_create(
                &thread, &attributes,
                [](void* arg) -> void* {
                  (*static_cast<Fn*>(arg))();
                  return nullptr;
                },
                &fn),
            0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attributes);
}

TEST(HtmlParserTest, DeepTreeNeedsNoDeepStack) {
  // With the depth limit off, Gumbo builds a 100,000-level tree: walking it and freeing it must
  // not recurse (Gumbo's own gumbo_destroy_output would).
  ParseOptions options;
  options.max_depth = std::numeric_limits<std::size_t>::max();
  constexpr std::size_t kDepth = 100000;
  const std::string html = repeat("<span>", kDepth) + "bottom<a href=/b>b</a>";
  ParsedPage page;
  run_with_small_stack([&] { page = parse(html, options); });
  EXPECT_FALSE(page.markup_limited);
  EXPECT_EQ(page.text, "bottomb");
  EXPECT_THAT(hrefs(page), ElementsAre("/b"));
}

}  // namespace
}  // namespace crawler
