// Differential tests: scan_links() must give what parse_html() (Gumbo, the reference) gives for
// links, title, base href, robots and charset metas and link truncation - on hand-written edge
// cases, on every page of generated sample sites, and on thousands of generated HTML-ish
// documents. The documented differences (docs/link_scanner.md) each have a named test; the
// generator leaves exactly those constructs out.
#include "crawler/html/link_scanner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/html/html_parser.h"
#include "tests/support/sample_site.h"

namespace crawler {
namespace {

using ::testing::ElementsAre;

std::string printable(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) {
      out.push_back(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::string describe(const ParsedPage& page) {
  std::string out = "title=[" + printable(page.title) + "] base=[" + printable(page.base_href) +
                    "] nofollow=" + std::to_string(page.meta_nofollow) +
                    " noindex=" + std::to_string(page.meta_noindex) + " charset=[" +
                    printable(page.meta_charset) +
                    "] truncated=" + std::to_string(page.links_truncated) + "\n";
  for (const RawLink& link : page.links) {
    out += "  [" + printable(link.href) +
           "] source=" + std::to_string(static_cast<int>(link.source)) +
           " nofollow=" + std::to_string(link.nofollow) + "\n";
  }
  return out;
}

ParseOptions link_options(std::size_t max_links = 10000) {
  ParseOptions options;
  options.want_text = false;
  options.max_links = max_links;
  return options;
}

// The scanner's result, checked against the reference's.
ParsedPage expect_same(std::string_view html, std::size_t max_links = 10000) {
  const ParsedPage expected = parse_html(html, link_options(max_links));
  ParsedPage actual = scan_links(html, link_options(max_links));
  EXPECT_FALSE(expected.markup_limited) << printable(html);
  EXPECT_EQ(describe(actual), describe(expected)) << "input: " << printable(html);
  return actual;
}

void expect_all_same(std::initializer_list<std::string_view> cases) {
  for (const std::string_view html : cases) expect_same(html);
}

std::vector<std::string> hrefs(const ParsedPage& page) {
  std::vector<std::string> hrefs;
  for (const RawLink& link : page.links) hrefs.push_back(link.href);
  return hrefs;
}

// ---------------------------------------------------------------------------------------------
// (a) Hand-written cases. Most also state the expected value, so that the two cannot agree on a
// wrong answer unnoticed.

TEST(LinkScannerTest, BasicPage) {
  const ParsedPage page = expect_same(
      "<!DOCTYPE html><html><head><title> My   page </title><base href=' /root/ '>"
      "<meta name=ROBOTS content='NoIndex, nofollow'><meta charset=' UTF-8 '>"
      "<link rel='alternate' href=feed.xml><link rel=stylesheet href=s.css></head>"
      "<body><a href=a.html>A</a><a rel='external nofollow' href=b.html>B</a>"
      "<map><area href=c.html></map><iframe src=d.html></iframe></body></html>");
  EXPECT_EQ(page.title, "My page");
  EXPECT_EQ(page.base_href, "/root/");
  EXPECT_TRUE(page.meta_noindex);
  EXPECT_TRUE(page.meta_nofollow);
  EXPECT_EQ(page.meta_charset, "utf-8");
  EXPECT_THAT(hrefs(page), ElementsAre("feed.xml", "a.html", "b.html", "c.html", "d.html"));
  EXPECT_FALSE(page.links[1].nofollow);
  EXPECT_TRUE(page.links[2].nofollow);
  EXPECT_EQ(page.links[0].source, LinkSource::kLinkAlternate);
  EXPECT_EQ(page.links[3].source, LinkSource::kArea);
  EXPECT_EQ(page.links[4].source, LinkSource::kIframe);
}

TEST(LinkScannerTest, Quoting) {
  EXPECT_THAT(hrefs(expect_same("<a href=\"d q\">x</a><a href='s q'><a href=unq>")),
              ElementsAre("d q", "s q", "unq"));
  EXPECT_THAT(hrefs(expect_same("<a href = \"spaced\" ><a\nhref\n=\nnl><a\thref=a'b\"c>")),
              ElementsAre("spaced", "nl", "a'b\"c"));
  EXPECT_THAT(hrefs(expect_same("<a href='x>y'>")), ElementsAre("x>y"));
  expect_all_same({
      "<a href=>x",
      "<a href=a/>",
      "<a href=\"a\"/>",
      "<a href=\"a\"b=c>",
      "<a/href=x>",
      "<a =\">\" href=y>",
      "<a \"href\"=x href=y>",
      "<a href=`x`>",
      "<a href=x=y>",
      "<a href='a'href='b'>",
      "<a href=\"\">empty</a><a href=\" \">space</a><a>none</a>",
      "<a href=\"\t\n\r\f x \n\">",
      "<a href=\"a\r\nb\rc\">",
      "<a href=/ x>",
      "<a // href=x>",
      "<a href='<svg>'><a href=\"</svg>\"><a href=<math>",
      "<a href='<svg'>",
  });
}

TEST(LinkScannerTest, DuplicateAttributes) {
  EXPECT_THAT(hrefs(expect_same("<a href=first HREF=second>")), ElementsAre("first"));
  expect_all_same({
      "<a rel=nofollow rel=x href=a>",
      "<a rel=x rel=nofollow href=a>",
      "<link href=a rel=next rel=stylesheet>",
      // Gumbo 0.10.1 drops a repeated attribute but keeps its name in its buffer when it has no
      // value: the next name is appended to it, which can spell a wanted one, or repeat again.
      "<a h ref=1 h ref=2>",
      "<a h h ref=2>",
      "<a H h REF=2>",
      "<a h h h ref=2>",
      "<a hr hr hr e f=3 hr ef=4>",
      "<a href=1 h h ref=2>",
      "<a h=0 h ref=2 h ref=3>",
      "<a h h\n/ ref=2>",
      "<a h h 'ref=2>",
      "<a h h =ref=2>",
      "<a h h ref>",
      "<a rel h h ref=x rel=nofollow>",
      "<link href=a r r el=stylesheet>",
      "<base h h ref=b><a href=c>",
      "<meta n n ame=robots content=nofollow><a href=c>",
      "<meta c c harset=koi8-r>",
      "<a hr&amp; hr&amp; ef=x>",
      "<a x x href=t>",
      "<a x=1 x href=t>",
      "<a x x y href=t>",
      "<a x x href=t href=u>",
      "<base x x href=t><base href=u>",
      "<meta x x charset=t><meta charset=u>",
      "<a X x=1 href=t>",
      "<a x x\n>",
  });
}

// Past its first 16 names a tag's names are kept in a hash set (so 100,000 attributes in one tag
// take linear time): repeats and joins must read the same on both sides of that switch.
TEST(LinkScannerTest, ManyAttributesInOneTag) {
  std::string names;
  for (int i = 0; i < 40; ++i) names += " A" + std::to_string(i);
  const std::string many = "<a" + names;
  EXPECT_THAT(hrefs(expect_same(many + " href=1 a3 HREF=2>")), ElementsAre("1"));
  EXPECT_THAT(hrefs(expect_same(many + " a39 a39 h a2 ref=3 h ref=4>")), ElementsAre("4"));
  // Each join below starts with "a3": none spells href.
  EXPECT_THAT(hrefs(expect_same(many + " a3 h ref=5 a3 a5 a3 href=6>")), ::testing::IsEmpty());
  EXPECT_THAT(hrefs(expect_same("<a h" + names + " h ref=7 a1 href=8>")), ElementsAre("7"));
  EXPECT_THAT(hrefs(expect_same("<a h h ref=9" + names + " a1 a1 href=10>")), ElementsAre("9"));
  std::string huge = "<a";
  for (int i = 0; i < 100000; ++i) huge += " n" + std::to_string(i);
  EXPECT_THAT(hrefs(scan_links(huge + " n7 href=x h h ref=y href=z>", link_options())),
              ElementsAre("y"));
}

TEST(LinkScannerTest, CaseInsensitiveNames) {
  EXPECT_THAT(hrefs(expect_same("<A HREF=x><AREA Href=y><LINK REL=NEXT HREF=z>")),
              ElementsAre("x", "y", "z"));
  expect_all_same({"<TITLE>t</TiTlE>", "<BASE HREF=b>", "<META NAME=Robots CONTENT=NOINDEX>",
                   "<IFRAME SRC=i></IFRAME><a href=after>",
                   "<ScRiPt><a href=x></sCrIpT><a href=y>"});
}

TEST(LinkScannerTest, CharacterReferences) {
  EXPECT_THAT(hrefs(expect_same("<a href='a?x=1&amp;y=2&lt;&#65;&#x42;&#X43'>")),
              ElementsAre("a?x=1&y=2<ABC"));
  // Legacy names without ';' decode in attributes, except before '=' or an alphanumeric.
  EXPECT_THAT(hrefs(expect_same("<a href='?a=1&copy=2&copy;&copy &notit;&not-'>")),
              ElementsAre("?a=1&copy=2\xC2\xA9\xC2\xA9 &notit;\xC2\xAC-"));
  expect_all_same({
      "<a href='&#x80;&#x81;&#x8D;&#x9F;&#150;'>",
      "<a href='&#0;&#xD800;&#xDFFF;&#x110000;&#99999999999999;&#4294967296;&#x100000041;'>",
      "<a href='&#x1;&#x0B;&#x0D;&#x7F;&#xFDD0;&#xFFFE;&#x10FFFF;'>",
      "<a href='&#;&#x;&#xg;&# 1;&&amp&amp;&'>",
      "<a href='&notin;&notin &NotNestedLessLess;&NotNestedLessLess &nbsp&nbsp;x'>",
      "<a href='&AMP&AMP;&Amp;&ampx&amp='>",
      "<a href='&CounterClockwiseContourIntegral;&CounterClockwiseContourIntegra;'>",
      "<a href='&lt&gt&quot&QUOT&frac34x&frac34;'>",
      "<a href=&amp;unquoted&lt>",
      "<a href='&#x1F600;&#128512'>",
      "<title>&amp &notit; &lt;b&gt; &#x80; &copy=</title>",
  });
}

TEST(LinkScannerTest, Comments) {
  EXPECT_THAT(hrefs(expect_same("<!-- <a href=no> --><a href=yes>")), ElementsAre("yes"));
  expect_all_same({
      "<!--><a href=a>",
      "<!---><a href=b>",
      "<!----><a href=c>",
      "<!-- x --!><a href=d>",
      "<!-- x --!-><a href=no>--><a href=e>",
      "<!-- x --!--><a href=f>",
      "<!-- x ---><a href=g>",
      "<!-- -- x --><a href=h>",
      "<!--!><a href=no>--><a href=i>",
      "<!-- <!-- nested --><a href=j>",
      "<!-- unclosed <a href=no>",
      "<!-",
      "<!-x><a href=k>",
      "<!DOCTYPE html PUBLIC \"a>b\"><a href=l>",
      "<!doctype><a href=m>",
      "<![CDATA[<a href=no>]]><a href=n>",
      "<?xml version='1.0'?><a href=o>",
      "</ a href=no><a href=p>",
      "</><a href=q>",
      "</3><a href=r>",
      "<3 <a href=s>",
      "< a href=no><a href=t>",
      "<a href=u><",
      "<a href=v></",
  });
}

TEST(LinkScannerTest, RawTextAndRcdata) {
  EXPECT_THAT(hrefs(expect_same("<script>document.write('<a href=no>')</script><a href=yes>")),
              ElementsAre("yes"));
  expect_all_same({
      "<style>a{} <a href=no></style><a href=a>",
      "<textarea><a href=no></textarea><a href=b>",
      "<xmp><a href=no></xmp><a href=c>",
      "<iframe src=d><a href=no></iframe><a href=e>",
      "<noembed><a href=no></noembed><a href=f>",
      "<noframes><a href=no></noframes><a href=g>",
      "<noscript><a href=h></noscript>",
      "<script></scriptx><a href=no></script><a href=i>",
      "<script></script ><a href=j>",
      "<script></script/><a href=k>",
      "<script></script foo='>'><a href=no>'><a href=l>",
      "<script><!--<script></script><a href=no>--></script><a href=m>",
      "<script><!--<script></script>--><a href=no></script><a href=n>",
      "<script><!-- </script><a href=o>",
      "<script><!--><a href=no></script><a href=p>",
      "<script><!--<script>--></script><a href=q>",
      "<script><!--<script -></script></script><a href=r>",
      "<script><!-- -<script></script>-- ></script><a href=s>",
      "<script><a href=no>",
      "<style><a href=no>",
      "<textarea>&lt;<a href=no>",
      "<title><a href=no></title><a href=t>",
      "<plaintext><a href=no></plaintext><a href=no>",
      "<a href=u><plaintext>",
      "<script></SCRIPT><a href=v>",
      "<iframe src=w>",
      "<iframe src=x></iframe",
  });
}

TEST(LinkScannerTest, Base) {
  EXPECT_EQ(expect_same("<base target=_top><base href=' /a/ '><base href=/b/>").base_href, "/a/");
  expect_all_same({
      "<base href=''><base href=/b/>",
      "<body><base href=/in-body/>",
      "<template><base href=/t/></template><base href=/after/>",
      "<svg><base href=/svg/></svg><base href=/after/>",
      "<base href='&amp;x'>",
  });
}

TEST(LinkScannerTest, Meta) {
  const ParsedPage none = expect_same("<meta name=' robots ' content='none'>");
  EXPECT_TRUE(none.meta_nofollow);
  EXPECT_TRUE(none.meta_noindex);
  EXPECT_EQ(expect_same("<meta http-equiv=Content-Type content='text/html; charset=\"Shift_JIS\"'>")
                .meta_charset,
            "shift_jis");
  expect_all_same({
      "<meta name=robots content=index,follow>",
      "<meta name=robots content='noindexer'>",
      "<meta name=googlebot content=nofollow>",
      "<meta name=robots content='noindex;nofollow'>",
      "<meta name=ROBOTS content='  NOFOLLOW  '>",
      "<meta charset=''><meta charset=latin1>",
      "<meta http-equiv=content-type content=text/html><meta charset=x>",
      "<meta http-equiv=' content-type ' content='charset=ISO-8859-2'>",
      "<meta charset=a><meta charset=b>",
      "<meta charset=a http-equiv=content-type content='charset=b'>",
      "<meta content='charset=b' http-equiv=content-type>",
      "<body><p><meta name=robots content=noindex>",
      "<template><meta name=robots content=noindex></template>",
  });
}

TEST(LinkScannerTest, Title) {
  EXPECT_EQ(expect_same("<title>\n  Hello \t  big\n World  </title><title>Second</title>").title,
            "Hello big World");
  expect_all_same({
      "<title></title><title>second</title>",
      "<title>unclosed <a href=no>",
      "<body><h1><title>in body</title></h1>",
      "<svg><title>icon</title></svg><title>page</title>",
      "<template><title>t</title></template><title>page</title>",
      "<select><title>ignored</title></select><title>page</title>",
      "<title>a</title  ><title>b</title>",
      "<title>a</titlex>b</title>",
      "<title>a &lt;svg&gt; <svg> </svg></title>",
      "<title>\xC3\xA9t\xC3\xA9 \xFF \xE2\x82</title>",
      "<title>\r\n a \r b\f</title>",
  });
  const std::string long_title = "<title>" + std::string(5000, 'x') + "</title>";
  EXPECT_EQ(expect_same(long_title).title.size(), kMaxTitleBytes);
  std::string multibyte = "<title>a";
  for (int i = 0; i < 1500; ++i) multibyte += "\xE2\x82\xAC";  // three bytes each
  expect_same(multibyte + "</title>");
  expect_same(multibyte);
  std::string words = "<title>";
  for (int i = 0; i < 700; ++i) words += "ab  ";
  expect_same(words + "</title>");
}

TEST(LinkScannerTest, RelTokens) {
  const ParsedPage page = expect_same(
      "<link rel=next href=n><link rel='PREV' href=p><link rel=previous href=pp>"
      "<link rel='alternate stylesheet' href=no><link rel=icon href=no><link href=no>"
      "<link rel='next nofollow' href=nn><link rel='nofollow' href=no>");
  EXPECT_THAT(hrefs(page), ElementsAre("n", "p", "pp", "nn"));
  EXPECT_TRUE(page.links[3].nofollow);
  expect_all_same({
      "<a rel='NoFollow' href=a><a rel='nofollowx' href=b><a rel='x\tnofollow\n' href=c>",
      "<iframe rel=nofollow src=d></iframe><area rel=nofollow href=e>",
      "<link rel='alternate\nnext' href=f>",
  });
}

TEST(LinkScannerTest, NulAndInvalidBytes) {
  using namespace std::string_literals;
  expect_all_same({
      "<a href='a\0b'>"s,
      "<a\0 href=x><a href=y>"s,
      "<a h\0ref=x>"s,
      "<a href\0=x>"s,
      "<a \0 \xDF href=e>"s,
      "<a \0 \0 href=e>"s,
      "<a h\0x h href=e>"s,
      "<a \xDF \xDF href=e>"s,
      "<title>a\0b</title>"s,
      "<a href='\xFF\xFE\xC3(\xE2\x82\xF0\x9F\x98\xED\xA0\x80\xF4\x90\x80\x80\xC0\xAF'>",
      "<a href='\x01\x08\x0B\x0E\x1F\x7F\xC2\x80\xC2\x9F\xEF\xB7\x90\xEF\xBF\xBE\xF0\x9F\xBF\xBF'>",
      "\xEF\xBB\xBF<a href=bom>",
      "<frameset>\0<frame src=a>"s,
      "\0<frameset><frame src=a>"s,
      "<body>\0<frameset><frame src=a>"s,
  });
}

TEST(LinkScannerTest, Framesets) {
  EXPECT_THAT(hrefs(expect_same("<frameset><frame src=a><frame src=b></frameset>")),
              ElementsAre("a", "b"));
  expect_all_same({
      // One document, split across two lines.
      // NOLINTNEXTLINE(bugprone-suspicious-missing-comma)
      "<html><head><title>t</title></head><frameset><frameset><frame src=a></frameset>"
      "<frame src=b></frameset><noframes><a href=no></noframes></html><a href=no2>",
      "<frame src=no><a href=yes>",
      "<body><frame src=no>",
      "<a href=gone><link rel=next href=gone2><title>gone</title><frameset><frame src=a>",
      "<html><body><a href=kept><frameset><frame src=no>",
      "x<frameset><frame src=no>",
      " \n<frameset><frame src=a>",
      "&#32;<frameset><frame src=a>",
      "&amp;<frameset><frame src=no>",
      "<div><frameset><frame src=a>",
      "<img><frameset><frame src=no>",
      "<input type=hidden><frameset><frame src=a>",
      "<input type=text><frameset><frame src=no>",
      "<head></head><noscript></noscript><frameset><frame src=a>",
      "<head><noscript></noscript></head><frameset><frame src=a>",
      "</br><frameset><frame src=no>",
      "</body><frameset><frame src=a>",
      "<frameset><title>no</title><script><frame src=a></script><a href=no>",
      "<frameset></frameset><frameset><frame src=no>",
      "<template><frameset><frame src=no></template><frameset><frame src=a>",
      "<frameset><template><frame src=a>",
  });
}

TEST(LinkScannerTest, Select) {
  EXPECT_THAT(hrefs(expect_same("<select><a href=no><option>o</select><a href=yes>")),
              ElementsAre("yes"));
  expect_all_same({
      "<select><iframe></select><a href=a></iframe>",
      "<select><style></select><a href=b></style>",
      "<select><title></select><a href=c></title>",
      "<select><script></select><a href=no></script></select><a href=d>",
      "<select><textarea><a href=no></textarea><a href=e>",
      "<select><input><a href=f>",
      "<select><keygen><a href=g>",
      "<select><select><a href=h>",
      "<select><template><a href=no></template></select><a href=i>",
      "<select><plaintext><a href=j>",
      "<select><link rel=next href=no><base href=no><meta name=robots content=none>",
      "<table><tr><td><select><option>x</td><td><a href=k></td></tr></table>",
      "<table><tr><td><select><option>x<tr><td><a href=l>",
      "<select><td><a href=no></select><a href=m>",
      "<select></div></p><a href=no></select><a href=n>",
  });
}

TEST(LinkScannerTest, Templates) {
  EXPECT_THAT(hrefs(expect_same("<template><a href=no><template><a href=no2></template>"
                                "<a href=no3></template><a href=yes>")),
              ElementsAre("yes"));
  expect_all_same({
      "<template><title>x</title><script></template><a href=no></script></template><a href=a>",
      "<template><textarea></template><a href=no></textarea></template><a href=b>",
      "</template><a href=c>",
      "<template><select><title></template><a href=d>",
      "<template><div></div></template><a href=e>",
      "<head><template><a href=no></template></head><a href=f>",
      "<template><a href=no>",
      "<template><plaintext></template><a href=no>",
  });
}

TEST(LinkScannerTest, SvgAndMath) {
  EXPECT_THAT(hrefs(expect_same("<svg><a href=no><title>icon</title></a></svg><a href=yes>")),
              ElementsAre("yes"));
  expect_all_same({
      "<math><a href=no></a></math><a href=a>",
      "<svg><g><a href=no></a></g></svg><a href=b>",
      // Gumbo 0.10.1: an end tag of an unknown element closes the nearest unknown element, so
      // "</svg>" after a self-closed (= open) <path/> closes the path, not the svg.
      "<svg><path d=x /></svg><a href=lost>",
      "<div><svg><path/></svg></div><a href=c>",
      "<p><svg><path/></svg></p><a href=d>",
      "<span><svg><path/></svg></span><a href=e>",
      "<a href=f><svg><path/></svg></a><a href=g>",
      "<button><svg><path/></svg></button><a href=h>",
      "<li><svg><path/></svg><li><a href=i>",
      "<p><svg><path/></svg><div><a href=j>",
      "<svg><div></div></svg><a href=k>",
      "<svg><svg></svg></svg><a href=l>",
      "<svg></math><a href=no>",
      "<svg><p></svg><a href=no>",
      "<svg><style><a href=no></style></svg><a href=m>",
      "<svg/><a href=no>",
      "<SVG><a href=no></SVG><a href=n>",
      "<svgx><a href=o></svgx>",
      "<a href=p><svg><a href=q></a></svg>",
      // Right after "</>" parse_html does not recognise the svg.
      "</><svg><a href=r>",
      "</></><math><a href=s>",
      "</> <svg><a href=no>",
  });
}

TEST(LinkScannerTest, HeadAndBodyTags) {
  expect_all_same({
      "<html><html lang=x><head><head><body><body class=x><a href=a></body></html><a href=b>",
      "</html><a href=c>",
      "</body></html><title>late</title><base href=late><a href=d>",
      "<head><a href=e></head><title>t</title>",
      "<noscript><a href=f></noscript>",
      "<head><noscript><link rel=next href=g><a href=h></noscript></head>",
      "<isindex><a href=i>",
      "<table><tr><td><a href=j></td></tr></table><a href=k>",
      "<ul><li><a href=l>x</a><li><a href=m>y</a></ul>",
  });
}

TEST(LinkScannerTest, MaxLinks) {
  const std::string html = "<a href=1><a href=2><a href=''><a href=3><a href=4>";
  const ParsedPage page = expect_same(html, 3);
  EXPECT_THAT(hrefs(page), ElementsAre("1", "2", "3"));
  EXPECT_TRUE(page.links_truncated);
  EXPECT_FALSE(expect_same(html, 4).links_truncated);
  expect_same(html, 0);
  expect_same("<a href=1><a href=2><frameset><frame src=3>", 1);
}

TEST(LinkScannerTest, HugeAttributeValues) {
  const std::string big(1 << 20, 'x');
  const ParsedPage page = expect_same("<a href='" + big + "'>");
  ASSERT_EQ(page.links.size(), 1u);
  EXPECT_EQ(page.links[0].href.size(), big.size());
  expect_same("<a href=" + big + ">");
  expect_same("<a href='" + big);  // never closed: the tag is dropped
  expect_same("<a " + std::string(100000, 'x') + " href=y>");
  std::string many = "<a";
  // parse_html keeps 256 attributes a tag (difference 6 past that).
  for (int i = 0; i < 255; ++i) many += " a" + std::to_string(i % 50) + "=1";
  expect_same(many + " href=z>");
}

// Every prefix of a few tricky documents: the tokenizer's end-of-file rules in every state.
TEST(LinkScannerTest, EveryPrefix) {
  const std::string documents[] = {
      "<!DOCTYPE html><html><head><title>T &amp; t</title><base href='/b/'>"
      "<meta name=robots content=nofollow><meta charset=utf-8><link rel=next href=n>"
      "</head><body><a href=\"a&amp;b\" rel=nofollow>x</a><!-- c --!><a href=c>",
      "<script><!--<script></script>--></script><a href=x><style>s</style><textarea>t</textarea>"
      "<select><a href=no></select><template><a href=no></template><svg><a href=no></svg>"
      "<a href=y>",
      "<frameset><frame src=a><noframes>x</noframes></frameset><a href=no>",
      "<a x x href=t><a href='&notit;&#x80;' rel='a nofollow'><iframe src=i></iframe>",
  };
  for (const std::string& document : documents) {
    for (std::size_t size = 0; size <= document.size(); ++size) {
      expect_same(std::string_view(document).substr(0, size));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The documented differences (docs/link_scanner.md), one named test each. Each also checks that
// parse_html() reports its construct in TreeFacts, which is all the fuzz target makes room for.

TreeFacts facts_of(const std::string& html) {
  TreeFacts facts;
  parse_html(html, link_options(), facts);
  return facts;
}

// The fuzz target compares everything on pages without the constructs, even where the bytes
// that could start one are there.
TEST(LinkScannerTest, TreeFactsNameOnlyConstructsInTheTree) {
  using namespace std::string_literals;
  for (const std::string& html :
       {"<p><a href=x>1</a><a href=x>2</a>"s, "<!-- <svg><math> --><a href=x>"s,
        "<a title='<svg>' href=x>"s, "<script>'<svg>'</script><a href=x>"s,
        "<table><tr><td><a href=cell></td></tr></table><a href=after>"s, "<p>a\0b<a href=x>"s,
        "<a href=x>\0</a>"s}) {
    const TreeFacts facts = facts_of(html);
    EXPECT_FALSE(facts.cloned_anchor) << html;
    EXPECT_FALSE(facts.foster_parented) << html;
    EXPECT_FALSE(facts.foreign_root) << html;
    EXPECT_FALSE(facts.nul_in_attribute_name) << html;
    EXPECT_EQ(hrefs(parse_html(html, link_options())), hrefs(scan_links(html, link_options())))
        << html;
  }
}

// 1. Gumbo clones an <a> left open across a block, and reports its link once per clone.
TEST(LinkScannerTest, KnownDifferenceClonedAnchors) {
  const std::string html = "<ul><li><a href=x>one<li>two</ul>";
  EXPECT_THAT(hrefs(parse_html(html, link_options())), ElementsAre("x", "x"));
  EXPECT_THAT(hrefs(scan_links(html, link_options())), ElementsAre("x"));
  const std::string misnested = "<a href=y><div>t</a></div>";
  EXPECT_THAT(hrefs(parse_html(misnested, link_options())), ElementsAre("y", "y"));
  EXPECT_THAT(hrefs(scan_links(misnested, link_options())), ElementsAre("y"));
  EXPECT_TRUE(facts_of(html).cloned_anchor);
  EXPECT_TRUE(facts_of(misnested).cloned_anchor);
}

// 2. Foster parenting moves markup out of a table, ahead of the cells written before it.
TEST(LinkScannerTest, KnownDifferenceFosterParenting) {
  const std::string html = "<table><tr><td><a href=cell></td></tr><a href=stray></table>";
  EXPECT_THAT(hrefs(parse_html(html, link_options())), ElementsAre("stray", "cell"));
  EXPECT_THAT(hrefs(scan_links(html, link_options())), ElementsAre("cell", "stray"));
  EXPECT_TRUE(facts_of(html).foster_parented);
}

// 3. Implicit closes of elements around an <svg> are modelled with counts, not a stack.
TEST(LinkScannerTest, KnownDifferenceSvgClosedFromOutside) {
  // "</div>" closes the <p> implicitly, so "</p>" opens (and closes) an empty <p> inside the
  // svg instead of closing it; the scanner's count still has the first <p> open.
  const std::string html = "<div><p>a</div><svg></p><a href=x>";
  EXPECT_THAT(hrefs(parse_html(html, link_options())), ::testing::IsEmpty());
  EXPECT_THAT(hrefs(scan_links(html, link_options())), ElementsAre("x"));
  EXPECT_TRUE(facts_of(html).foreign_root);
}

// 4. Numeric references that overflow Gumbo's int.
TEST(LinkScannerTest, KnownDifferenceOverflowingNumericReference) {
  const std::string html = "<a href='a&#x80000000;b'>";
  EXPECT_THAT(hrefs(parse_html(html, link_options())), ElementsAre("a"));
  EXPECT_THAT(hrefs(scan_links(html, link_options())), ElementsAre("a\xEF\xBF\xBD"
                                                                   "b"));
}

// 5. NUL bytes in attribute names: Gumbo sees repeats where the scanner sees none.
TEST(LinkScannerTest, KnownDifferenceNulInAttributeName) {
  using namespace std::string_literals;
  const std::string html = "<a x\0y x\0y href=e>"s;
  EXPECT_THAT(hrefs(parse_html(html, link_options())), ::testing::IsEmpty());
  EXPECT_THAT(hrefs(scan_links(html, link_options())), ElementsAre("e"));
  EXPECT_TRUE(facts_of(html).nul_in_attribute_name);
  // A NUL that starts a name: Gumbo drops it (the name is "rel"), the standard and the scanner
  // make it U+FFFD (the name is not "rel").
  const std::string leading = "<area href=x \0rel=nofollow>"s;
  ASSERT_EQ(parse_html(leading, link_options()).links.size(), 1u);
  EXPECT_TRUE(parse_html(leading, link_options()).links[0].nofollow);
  ASSERT_EQ(scan_links(leading, link_options()).links.size(), 1u);
  EXPECT_FALSE(scan_links(leading, link_options()).links[0].nofollow);
  EXPECT_TRUE(facts_of(leading).nul_in_attribute_name);
}

// 6. Pages parse_html defuses are scanned as written.
TEST(LinkScannerTest, KnownDifferenceDefusedMarkup) {
  std::string html;
  for (int i = 0; i < 600; ++i) html += "<div>";
  html += "<a href=deep>";
  const ParsedPage reference = parse_html(html, link_options());
  EXPECT_TRUE(reference.markup_limited);
  EXPECT_THAT(hrefs(reference), ::testing::IsEmpty());
  EXPECT_THAT(hrefs(scan_links(html, link_options())), ElementsAre("deep"));
  std::string many = "<a";
  for (int i = 0; i < 2000; ++i) many += " a" + std::to_string(i % 500) + "=1";
  many += " href=z>";
  EXPECT_TRUE(parse_html(many, link_options()).markup_limited);
  EXPECT_THAT(hrefs(parse_html(many, link_options())), ::testing::IsEmpty());
  EXPECT_THAT(hrefs(scan_links(many, link_options())), ElementsAre("z"));
}

// ---------------------------------------------------------------------------------------------
// (b) Every page of generated sample sites.

TEST(LinkScannerTest, SampleSitePages) {
  for (const std::uint32_t seed : {1u, 7u, 42u}) {
    const testing::SampleSite site({.pages = 300, .seed = seed, .min_links = 3, .max_links = 30});
    std::size_t links = 0;
    for (const std::string& path : site.paths()) {
      const std::string* body = site.page(path);
      ASSERT_NE(body, nullptr);
      links += expect_same(*body).links.size();
    }
    EXPECT_GT(links, site.size() * 3);
  }
}

// ---------------------------------------------------------------------------------------------
// (c) Generated HTML-ish documents.

// A deterministic generator of HTML-ish markup: tags, attributes in every quoting form,
// references, comments, raw text elements, modes. It leaves out the documented differences:
// <a> and other formatting elements are always closed right after their text content (no
// clones), tables only hold cells (no foster parenting), and <svg> content is closed inside it.
class HtmlGenerator {
 public:
  explicit HtmlGenerator(std::uint32_t seed) : state_(seed * 2654435761u + 1) {}

  std::string document() {
    std::string out;
    if (chance(30)) out += pick({"<!DOCTYPE html>", "<!doctype html public 'x'>", "<?xml?>"});
    if (chance(50)) out += "<html" + attrs() + ">";
    if (chance(60)) {
      out += pick({"<head>", "<HEAD>", ""});
      for (int i = below(5); i > 0; --i) out += head_element();
      if (chance(60)) out += "</head>";
    }
    if (chance(8)) {
      out += frameset();
    } else {
      if (chance(50)) out += "<body" + attrs() + ">";
      for (int i = below(25); i > 0; --i) out += block(0);
      if (chance(5)) out += "<frameset><frame src=late>";
    }
    if (chance(40)) out += "</body></html>";
    if (chance(20)) out += block(0);
    if (chance(10)) out.resize(below(static_cast<int>(out.size()) + 1));  // cut anywhere
    return out;
  }

 private:
  std::uint32_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return state_;
  }
  int below(int n) { return n <= 0 ? 0 : static_cast<int>(next() % static_cast<std::uint32_t>(n)); }
  bool chance(int percent) { return below(100) < percent; }
  std::string pick(std::initializer_list<std::string_view> options) {
    return std::string(options.begin()[below(static_cast<int>(options.size()))]);
  }

  std::string url() {
    std::string url = pick({"page.html",
                            "/a/b",
                            "http://example.com/x?a=1&b=2",
                            "#frag",
                            "",
                            " ",
                            "../up",
                            "mailto:x@y",
                            "?q=a b",
                            "x y",
                            "/\xC3\xA9t\xC3\xA9",
                            "&amp;",
                            "&notit;",
                            "&#x41;",
                            "&copy=1",
                            "a&lt;b",
                            "&#128;",
                            "&#0;",
                            "\tpad\n",
                            "a\r\nb",
                            "x>y",
                            "<svg>",
                            "\xFF"});
    if (chance(30)) url += pick({"&amp;x=1", "&copy", "&#10;", "&nbsp;", "&", "&#x", "#"});
    return url;
  }

  std::string quoted(const std::string& value) {
    switch (below(4)) {
      case 0:
        if (value.find('"') == std::string::npos) return "\"" + value + "\"";
        [[fallthrough]];
      case 1:
        if (value.find('\'') == std::string::npos) return "'" + value + "'";
        [[fallthrough]];
      case 2:
        if (value.find_first_of(" \t\n\r\f>'\"") == std::string::npos && !value.empty()) {
          return value;
        }
        [[fallthrough]];
      default:
        return "\"" + std::string(value.find('"') == std::string::npos ? value : "v") + "\"";
    }
  }

  std::string attr() {
    std::string name = pick({"href", "HREF", "src", "rel", "name", "content", "charset",
                             "http-equiv", "type", "class", "id", "data-x", "x", "Href"});
    std::string value;
    if (name == "rel") {
      value = pick({"nofollow", "next", "prev", "alternate", "stylesheet", "alternate stylesheet",
                    "next nofollow", "NOFOLLOW external", "previous", ""});
    } else if (name == "name") {
      value = pick({"robots", "ROBOTS", " robots ", "description", "googlebot"});
    } else if (name == "content") {
      value = pick({"noindex", "nofollow", "none", "noindex,nofollow", "index, follow",
                    "text/html; charset=ISO-8859-2", "charset=\"koi8-r\"", "x"});
    } else if (name == "charset") {
      value = pick({"utf-8", " Windows-1252 ", "", "x&amp;y"});
    } else if (name == "http-equiv") {
      value = pick({"content-type", "Content-Type", "refresh"});
    } else if (name == "type") {
      value = pick({"hidden", "HIDDEN", "text"});
    } else {
      value = url();
    }
    std::string sep = pick({" ", " ", "\n", "\t", "/", " / "});
    if (chance(10)) return sep + name;  // no value
    return sep + name + pick({"=", "=", " = ", "=\n"}) + quoted(value);
  }

  std::string attrs() {
    std::string out;
    for (int i = below(4); i > 0; --i) out += attr();
    if (chance(5)) out += " /";
    return out;
  }

  std::string text() {
    std::string out = pick({"hello",
                            " ",
                            "\n",
                            "a &amp; b",
                            "&lt;",
                            "x < y",
                            "a<3",
                            "&#32;",
                            "caf\xC3\xA9",
                            "\r\n",
                            "&nbsp;",
                            "\xFF",
                            std::string_view("\0", 1),
                            "&notit;",
                            "-->",
                            "]]>",
                            "<",
                            "</",
                            "</ >",
                            "&"});
    return out;
  }

  // Text that cannot swallow the end tag after it ("</" + "</a>" is a bogus comment).
  std::string inline_text() {
    return pick({"hello", " ", "\n", "a &amp; b", "&lt;", "caf\xC3\xA9", "\r\n", "&nbsp;", "\xFF",
                 "&notit;", "&"});
  }

  std::string link() {
    switch (below(6)) {
      case 0:
      case 1:
        return "<a" + attrs() + ">" + inline_text() + "</a>";
      case 2:
        return "<area" + attrs() + ">";
      case 3:
        return "<link" + attrs() + ">";
      case 4:
        return "<iframe" + attrs() + ">" + pick({"", "<a href=no>x</a>", "x"}) + "</iframe>";
      default:
        return "<frame" + attrs() + ">";
    }
  }

  std::string raw_text() {
    switch (below(8)) {
      case 0:
        return "<script>" +
               pick({"var a = '<a href=no>x</a>';", "<!--<script></script><a href=no>x</a>-->",
                     "<!-- </script>", "<!--<script>--><a href=no>x</a>", "if (a</b) {}",
                     "</scriptx>"}) +
               pick({"</script>", "</SCRIPT >", "</script foo='>'>"});
      case 1:
        return "<style>a > b { }<a href=no>x</a></style>";
      case 2:
        return "<textarea>" + text() + "<a href=no>x</a></textarea>";
      case 3:
        return "<xmp><a href=no>x</a></xmp>";
      case 4:
        return "<noembed><a href=no>x</a></noembed>";
      case 5:
        return "<noframes><a href=no>x</a></noframes>";
      case 6:
        return "<title>" + text() + text() + "</title>";
      default:
        return "<plaintext>" + text();
    }
  }

  std::string comment() {
    return pick({"<!-- c -->", "<!-->", "<!--->", "<!-- a --!>", "<!-- <a href=no> -->",
                 "<!-- x --!-->", "<!---->", "<!DOCTYPE html>", "<?pi?>", "</ x>", "<![CDATA[x]]>",
                 "<!x>", "</>", "<!-- -- -->"});
  }

  std::string head_element() {
    switch (below(9)) {
      case 0:
        return "<title>" + text() + text() + "</title>";
      case 1:
        return "<base" + attrs() + ">";
      case 2:
      case 3:
        return "<meta" + attrs() + ">";
      case 4:
        return "<link" + attrs() + ">";
      case 5:
        return raw_text();
      case 6:
        return comment();
      case 7:
        return "<noscript>" + link() + "</noscript>";
      default:
        return pick({" ", "\n", "<template>" + link() + "</template>"});
    }
  }

  std::string frameset() {
    std::string out = "<frameset" + attrs() + ">";
    for (int i = below(4); i > 0; --i) {
      out += pick({"<frame src=f>", "<frame" + attrs() + ">",
                   "<noframes><a href=no>x</a></noframes>", "<title>no</title>", "<a href=no>x</a>",
                   "<script><a href=no>x</a></script>", "<frameset><frame src=g></frameset>", "x"});
    }
    if (chance(70)) out += "</frameset>";
    if (chance(30)) out += pick({"<a href=no>x</a>", "<noframes><a href=x></noframes>", "</html>"});
    return out;
  }

  std::string block(int depth) {
    if (depth > 4) return text();
    switch (below(16)) {
      case 0:
      case 1:
      case 2:
        return link();
      case 3:
        return text();
      case 4:
        return raw_text();
      case 5:
        return comment();
      case 6: {
        const std::string tag = pick({"div", "p", "span", "li", "section", "h1", "ul", "dl"});
        std::string out = "<" + tag + attrs() + ">";
        for (int i = below(4); i > 0; --i) out += block(depth + 1);
        if (chance(70)) out += "</" + tag + ">";
        return out;
      }
      case 7: {
        const std::string tag = pick({"b", "em", "strong", "i"});
        return "<" + tag + ">" + inline_text() + "</" + tag + ">";
      }
      case 8:
        return head_element();
      case 9: {
        std::string out = "<select" + attrs() + ">";
        for (int i = below(4); i > 0; --i) {
          out += pick({"<option>o", "<optgroup>", "<a href=no>x</a>", "<title>", "<iframe>",
                       "<style>", "<script>x</script>", "<textarea>t</textarea>", "<input>",
                       "</div>", "<template><a href=no>x</a></template>", "<base href=no>"});
        }
        if (chance(70)) out += "</select>";
        return out;
      }
      case 10: {
        std::string out = "<template>";
        for (int i = below(3); i > 0; --i) out += block(depth + 1);
        if (chance(80)) out += "</template>";
        return out;
      }
      case 11: {
        std::string out = pick({"<svg>", "<svg viewBox='0 0 1 1'>", "<math>", "<SVG>"});
        for (int i = below(4); i > 0; --i) {
          // Balanced only: "<path/>" leaves the path open, and then Gumbo's "</svg>" closes it
          // instead of the svg (see SvgAndMath), which takes the rest of the page into the svg.
          out += pick({"<path d='M0'></path>", "<g></g>", "<title>icon</title>", "<a href=no>t</a>",
                       "<circle r=1></circle>", "<desc>d</desc>", "x"});
        }
        out += out[1] == 'm' ? "</math>" : "</svg>";
        return out;
      }
      case 12: {
        std::string out = "<table><tr><td>";
        for (int i = below(3); i > 0; --i) out += block(depth + 1);
        return out + pick({"</td></tr></table>", "</table>"});
      }
      case 13:
        return pick({"<br>", "<img src=x>", "<input type=hidden>", "<hr/>", "<body class=x>",
                     "<html lang=en>", "<head>", "</head>", "</body>", "</html>", "</p>", "</div>",
                     "</br>", "<frame src=no>", "<frameset>", "</span>", "<noscript>",
                     "</noscript>", "<isindex>"});
      case 14:
        return "<noscript>" + block(depth + 1) + "</noscript>";
      default:
        return "<" + pick({"x", "custom-el", "foo"}) + attrs() + ">" + block(depth + 1) + "</" +
               pick({"x", "custom-el", "foo"}) + ">";
    }
  }

  std::uint32_t state_;
};

TEST(LinkScannerTest, GeneratedDocuments) {
  HtmlGenerator generator(2026);
  std::size_t links = 0;
  for (int i = 0; i < 4000; ++i) {
    const std::string html = generator.document();
    links += expect_same(html, i % 10 == 0 ? 3 : 10000).links.size();
    if (::testing::Test::HasFailure()) break;  // one reported mismatch is enough to debug
  }
  EXPECT_GT(links, 1000u);
}

}  // namespace
}  // namespace crawler
