#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "bencode/document.hpp"
#include "bencode/value.hpp"

namespace tessera::bencode {
namespace {

Error decode_error(std::string_view in, const Limits& limits = {}) {
  auto doc = decode(in, limits);
  EXPECT_FALSE(doc.has_value()) << "unexpectedly decoded: " << in.substr(0, 60);
  return doc ? Error{} : doc.error();
}

std::int64_t decode_int(std::string_view in) {
  auto doc = decode(in);
  EXPECT_TRUE(doc.has_value()) << (doc ? "" : doc.error().message());
  return doc ? doc->root().as_int() : -1;
}

TEST(BencodeDecode, Integers) {
  EXPECT_EQ(decode_int("i0e"), 0);
  EXPECT_EQ(decode_int("i42e"), 42);
  EXPECT_EQ(decode_int("i-42e"), -42);
  EXPECT_EQ(decode_int("i9223372036854775807e"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(decode_int("i-9223372036854775808e"), std::numeric_limits<std::int64_t>::min());
}

TEST(BencodeDecode, RejectsMalformedIntegers) {
  EXPECT_EQ(decode_error("i03e"), (Error{Errc::leading_zero, 1}));
  EXPECT_EQ(decode_error("i-03e").code, Errc::leading_zero);
  EXPECT_EQ(decode_error("i00e").code, Errc::leading_zero);
  EXPECT_EQ(decode_error("i-0e"), (Error{Errc::negative_zero, 0}));
  EXPECT_EQ(decode_error("ie").code, Errc::invalid_integer);
  EXPECT_EQ(decode_error("i-e").code, Errc::invalid_integer);
  EXPECT_EQ(decode_error("i+5e").code, Errc::invalid_integer);
  EXPECT_EQ(decode_error("i1.5e").code, Errc::invalid_integer);
  EXPECT_EQ(decode_error("i 5e").code, Errc::invalid_integer);
  EXPECT_EQ(decode_error("i12").code, Errc::unexpected_end);
  EXPECT_EQ(decode_error("i9223372036854775808e").code, Errc::integer_overflow);
  EXPECT_EQ(decode_error("i-9223372036854775809e").code, Errc::integer_overflow);
  EXPECT_EQ(decode_error("i99999999999999999999999999e").code, Errc::integer_overflow);
}

TEST(BencodeDecode, Strings) {
  auto doc = decode("5:hello");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->root().as_string(), "hello");
  auto empty = decode("0:");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->root().as_string(), "");
  const std::string binary("3:\0\xff\n", 5);
  auto bin = decode(binary);
  ASSERT_TRUE(bin);
  EXPECT_EQ(bin->root().as_string(), std::string_view("\0\xff\n", 3));
}

TEST(BencodeDecode, RejectsMalformedStrings) {
  EXPECT_EQ(decode_error("05:hello").code, Errc::leading_zero);
  EXPECT_EQ(decode_error("6:hello"), (Error{Errc::string_exceeds_input, 0}));
  // A 2^40 length must be refused before anything is allocated for it.
  EXPECT_EQ(decode_error("1099511627776:abc").code, Errc::string_exceeds_input);
  EXPECT_EQ(decode_error("99999999999999999999999:abc").code, Errc::integer_overflow);
  EXPECT_EQ(decode_error("5").code, Errc::unexpected_end);
  EXPECT_EQ(decode_error("5x").code, Errc::invalid_prefix);
  EXPECT_EQ(decode_error("-1:a").code, Errc::invalid_prefix);
}

TEST(BencodeDecode, ListsAndDicts) {
  auto doc = decode("d4:listli1e3:twoe3:numi7e3:subd1:dd1:ai1eeee");
  ASSERT_TRUE(doc);
  const Node root = doc->root();
  ASSERT_TRUE(root.is_dict());
  EXPECT_EQ(root.size(), 3u);
  const auto list = root.find_list("list");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 2u);
  auto it = list->begin();
  EXPECT_EQ((*it).as_int(), 1);
  ++it;
  EXPECT_EQ((*it).as_string(), "two");
  ++it;
  EXPECT_TRUE(it == list->end());
  EXPECT_EQ(root.find_int("num"), 7);
  EXPECT_FALSE(root.find_int("list"));  // wrong type
  EXPECT_FALSE(root.find("missing"));
  const auto sub = root.find_dict("sub");
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->find_dict("d")->find_int("a"), 1);
  EXPECT_EQ(decode("le")->root().size(), 0u);
  EXPECT_EQ(decode("de")->root().size(), 0u);
}

TEST(BencodeDecode, RawKeepsExactOriginalBytes) {
  // Keys out of order: the raw span must be the original bytes, not a re-encoding.
  const std::string in = "d4:infod1:bi2e1:ai1ee4:zzzz0:e";
  auto doc = decode(in);
  ASSERT_TRUE(doc);
  const auto info = doc->root().find("info");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->raw(), "d1:bi2e1:ai1ee");
  EXPECT_EQ(info->offset(), 7u);
  EXPECT_EQ(doc->root().raw(), in);
}

TEST(BencodeDecode, RejectsStructuralErrors) {
  EXPECT_EQ(decode_error("").code, Errc::unexpected_end);
  EXPECT_EQ(decode_error("l").code, Errc::unexpected_end);
  EXPECT_EQ(decode_error("li1e").code, Errc::unexpected_end);
  EXPECT_EQ(decode_error("d1:a").code, Errc::unexpected_end);
  EXPECT_EQ(decode_error("e").code, Errc::invalid_prefix);
  EXPECT_EQ(decode_error("x").code, Errc::invalid_prefix);
  EXPECT_EQ(decode_error("di1ei2ee"), (Error{Errc::non_string_key, 1}));
  EXPECT_EQ(decode_error("dlee1:ae").code, Errc::non_string_key);
  EXPECT_EQ(decode_error("d1:ae"), (Error{Errc::missing_value, 4}));
  EXPECT_EQ(decode_error("d1:ai1e1:ai2ee").code, Errc::duplicate_key);
}

TEST(BencodeDecode, ReportsTrailingGarbage) {
  EXPECT_EQ(decode_error("i1ei2e"), (Error{Errc::trailing_data, 3}));
  EXPECT_EQ(decode_error("dex").code, Errc::trailing_data);
  EXPECT_EQ(decode_error("4:spam\n").code, Errc::trailing_data);
}

TEST(BencodeDecode, UnsortedKeysAcceptedUnlessStrictButDuplicatesNever) {
  EXPECT_TRUE(decode("d1:bi1e1:ai2ee"));
  Limits strict;
  strict.strict_key_order = true;
  EXPECT_EQ(decode_error("d1:bi1e1:ai2ee", strict).code, Errc::unsorted_keys);
  // A duplicate hidden behind out-of-order keys is still found.
  EXPECT_EQ(decode_error("d1:bi1e1:ai2e1:bi3ee").code, Errc::duplicate_key);
  EXPECT_EQ(decode_error("d1:ci1e1:bi2e1:ai3e1:bi4ee").code, Errc::duplicate_key);
}

TEST(BencodeDecode, DepthLimitStopsDeepNestingWithoutRecursion) {
  const std::string deep = std::string(100000, 'l') + std::string(100000, 'e');
  EXPECT_EQ(decode_error(deep), (Error{Errc::depth_limit, 64}));
  Limits roomy;
  roomy.max_depth = 200000;  // iterative parser: deep input is fine when allowed
  auto doc = decode(deep, roomy);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->token_count(), 100000u);
  const std::string ok = std::string(64, 'l') + std::string(64, 'e');
  EXPECT_TRUE(decode(ok));
  const std::string too_deep = std::string(65, 'd') + std::string(65, 'e');
  EXPECT_EQ(decode_error(too_deep).code, Errc::non_string_key);  // 'd' is not a key
  const std::string list_deep = std::string(65, 'l') + std::string(65, 'e');
  EXPECT_EQ(decode_error(list_deep).code, Errc::depth_limit);
}

TEST(BencodeDecode, TokenAndInputLimits) {
  std::string many = "l";
  for (int i = 0; i < 1000; ++i) many += "i1e";
  many += "e";
  Limits small;
  small.max_tokens = 500;
  EXPECT_EQ(decode_error(many, small).code, Errc::token_limit);
  Limits tiny_input;
  tiny_input.max_input = 10;
  EXPECT_EQ(decode_error("12345678901:x", tiny_input).code, Errc::input_too_large);
}

TEST(BencodeDecode, DocumentSurvivesMove) {
  auto doc = decode("d3:key5:valuee");
  ASSERT_TRUE(doc);
  Document moved = std::move(*doc);
  EXPECT_EQ(moved.root().find_string("key"), "value");
}

TEST(BencodeEncode, CanonicalOutput) {
  const Value v = Value::dict({{"zeta", Value::list({1, "a", Value::list({})})},
                               {"alpha", -5},
                               {"mid", Value::dict({})}});
  EXPECT_EQ(encode(v), "d5:alphai-5e3:midde4:zetali1e1:aleee");
  EXPECT_EQ(encode(Value(std::numeric_limits<std::int64_t>::min())), "i-9223372036854775808e");
  EXPECT_EQ(encode(Value(std::string("\0x", 2))), std::string("2:\0x", 4));
}

TEST(BencodeRoundTrip, DecodeEncodeIsIdentityForCanonicalInput) {
  const char* cases[] = {
      "i0e", "i-1e", "0:", "4:spam", "le", "de", "li1ei2ei3ee",
      "d3:bar4:spam3:fooi42ee", "d1:ald1:bli1eeee1:ci-7ee", "l0:0:d0:0:ee",
  };
  for (const char* c : cases) {
    auto doc = decode(c);
    ASSERT_TRUE(doc) << c;
    EXPECT_EQ(encode(to_value(doc->root())), c);
  }
}

TEST(BencodeRoundTrip, UnsortedInputComesOutSorted) {
  auto doc = decode("d1:bi1e1:ai2ee");
  ASSERT_TRUE(doc);
  EXPECT_EQ(encode(to_value(doc->root())), "d1:ai2e1:bi1ee");
}

TEST(BencodeError, MessagesAreOneLine) {
  const Error e{Errc::integer_overflow, 12};
  EXPECT_EQ(e.message(), "integer overflow at byte 12");
  for (int c = 1; c <= static_cast<int>(Errc::trailing_data); ++c) {
    const std::string m = Error{static_cast<Errc>(c), 0}.message();
    EXPECT_EQ(m.find('\n'), std::string::npos);
    EXPECT_EQ(m.find("unknown"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace tessera::bencode
