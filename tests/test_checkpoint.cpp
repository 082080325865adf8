// Saving parameters atomically and loading them back checked against the model.
#define BOOST_TEST_MODULE checkpoint
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "expect_error.hpp"
#include "temp_folder.hpp"
#include <xgrad/train/checkpoint.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/train/model.hpp>
#include <xgrad/io/npy.hpp>

#include <xtensor/xoperation.hpp>

namespace fs = std::filesystem;
using namespace xgrad;
using xgrad::testing::expect_file_error;

namespace {

struct Scratch : xgrad::testing::TempFolder {
  Scratch() : TempFolder("xgrad-checkpoint-") {}
};

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

ModelSpec spec(const std::vector<std::size_t>& dims, std::uint64_t seed = 3) {
  return make_spec(dims, Initializer{InitKind::he, seed, 10.0});
}

bool same_values(Graph& a, Graph& b) {
  if (a.parameters().size() != b.parameters().size()) return false;
  for (std::size_t i = 0; i < a.parameters().size(); ++i) {
    if (a.parameters()[i]->value != b.parameters()[i]->value) return false;
  }
  return true;
}

// ---- .npy and .zip images built by hand ----

void put(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFFu);
}

std::uint32_t crc32(const std::string& bytes) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (const char ch : bytes) {
    c ^= static_cast<unsigned char>(ch);
    for (int k = 0; k < 8; ++k) c = (c & 1u) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xFFFFFFFFu;
}

std::string npy(const std::string& descr, bool fortran, const std::string& shape, const std::string& data) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                       ", 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY\x01";
  out += '\0';
  put(out, header.size(), 2);
  return out + header + data;
}

std::string doubles(const std::vector<double>& values, bool big_endian = false) {
  std::string out;
  for (const double v : values) {
    std::array<char, 8> raw;
    std::memcpy(raw.data(), &v, 8);
    if (big_endian) std::reverse(raw.begin(), raw.end());
    out.append(raw.data(), 8);
  }
  return out;
}

struct ZipItem {
  std::string name;
  std::string data;
  int method = 0;
  bool numpy_zip64_local = false;  // as numpy.savez writes: sizes in a ZIP64 extra field
};

std::string zip(const std::vector<ZipItem>& items) {
  std::string out, directory;
  for (const ZipItem& item : items) {
    const std::size_t offset = out.size();
    const std::uint32_t crc = crc32(item.data);
    put(out, 0x04034b50u, 4);
    put(out, item.numpy_zip64_local ? 45 : 20, 2);
    put(out, 0, 2);
    put(out, item.method, 2);
    put(out, 0, 4);
    put(out, crc, 4);
    put(out, item.numpy_zip64_local ? 0xFFFFFFFFu : item.data.size(), 4);
    put(out, item.numpy_zip64_local ? 0xFFFFFFFFu : item.data.size(), 4);
    put(out, item.name.size(), 2);
    put(out, item.numpy_zip64_local ? 20 : 0, 2);
    out += item.name;
    if (item.numpy_zip64_local) {
      put(out, 1, 2);
      put(out, 16, 2);
      put(out, item.data.size(), 8);
      put(out, item.data.size(), 8);
    }
    out += item.data;

    put(directory, 0x02014b50u, 4);
    put(directory, 20, 2);
    put(directory, 20, 2);
    put(directory, 0, 2);
    put(directory, item.method, 2);
    put(directory, 0, 4);
    put(directory, crc, 4);
    put(directory, item.data.size(), 4);
    put(directory, item.data.size(), 4);
    put(directory, item.name.size(), 2);
    put(directory, 0, 2);
    put(directory, 0, 2);
    put(directory, 0, 2);
    put(directory, 0, 2);
    put(directory, 0, 4);
    put(directory, offset, 4);
    directory += item.name;
  }
  const std::size_t directory_offset = out.size();
  out += directory;
  put(out, 0x06054b50u, 4);
  put(out, 0, 4);
  put(out, items.size(), 2);
  put(out, items.size(), 2);
  put(out, directory.size(), 4);
  put(out, directory_offset, 4);
  put(out, 0, 2);
  return out;
}

// A graph holding only parameters: W (2, 3) and b (2, 1).
struct TinyGraph {
  Graph graph;
  TinyGraph() {
    graph.parameter("fc1.W", Matrix{{1, 2, 3}, {4, 5, 6}});
    graph.parameter("fc1.b", Matrix{{7}, {8}});
  }
};

std::vector<ZipItem> tiny_items() {
  return {{"fc1.W.npy", npy("<f8", false, "(2, 3)", doubles({1, 2, 3, 4, 5, 6}))},
          {"fc1.b.npy", npy("<f8", false, "(2, 1)", doubles({7, 8}))}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(checkpoint)

BOOST_AUTO_TEST_CASE(round_trip_is_bit_exact) {
  Scratch s;
  Model a(spec({2, 20, 3, 1}, 3));
  Model b(spec({2, 20, 3, 1}, 7));
  BOOST_TEST_REQUIRE(!same_values(a.graph(), b.graph()));
  save_parameters(s.dir / "params.npz", a);
  load_parameters(s.dir / "params.npz", b);
  BOOST_TEST(same_values(a.graph(), b.graph()));
  BOOST_TEST(s.entries() == std::vector<std::string>{"params.npz"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(reads_what_numpy_savez_writes) {
  Scratch s;
  TinyGraph expected, got;
  for (Parameter* p : got.graph.parameters()) p->value.fill(0.0);
  auto items = tiny_items();
  for (ZipItem& item : items) item.numpy_zip64_local = true;
  load_parameters(s.write("numpy.npz", zip(items)), got.graph);
  BOOST_TEST(same_values(expected.graph, got.graph));
}

BOOST_AUTO_TEST_CASE(reads_fortran_order_and_big_endian) {
  Scratch s;
  TinyGraph expected, got;
  for (Parameter* p : got.graph.parameters()) p->value.fill(0.0);
  const std::vector<ZipItem> items = {
      {"fc1.b.npy", npy(">f8", false, "(2, 1)", doubles({7, 8}, true))},
      {"fc1.W.npy", npy("<f8", true, "(2, 3)", doubles({1, 4, 2, 5, 3, 6}))}};
  load_parameters(s.write("orders.npz", zip(items)), got.graph);
  BOOST_TEST(same_values(expected.graph, got.graph));
}

BOOST_AUTO_TEST_CASE(a_shape_that_differs_is_named_and_nothing_is_loaded) {
  Scratch s;
  Model small(spec({2, 20, 3, 1}));
  Model other(spec({2, 20, 5, 1}, 9));
  const Model before(spec({2, 20, 5, 1}, 9));
  save_parameters(s.dir / "small.npz", small);
  expect_file_error([&] { load_parameters(s.dir / "small.npz", other); }, s.dir / "small.npz",
                    {"fc2.W is 3x20 in the file but the model has 5x20"});
  for (std::size_t i = 0; i < other.graph().parameters().size(); ++i) {
    BOOST_TEST(other.graph().parameters()[i]->value == before.graph().parameters()[i]->value);
  }
}

BOOST_AUTO_TEST_CASE(a_missing_or_extra_parameter_is_named) {
  Scratch s;
  Model two(spec({2, 3, 1}));
  Model three(spec({2, 3, 4, 1}));
  save_parameters(s.dir / "two.npz", two);
  save_parameters(s.dir / "three.npz", three);
  expect_file_error([&] { load_parameters(s.dir / "two.npz", three); }, s.dir / "two.npz",
                    {"fc2.W is 1x3 in the file but the model has 4x3"});
  TinyGraph tiny;
  Graph& g = tiny.graph;
  g.parameter("fc2.W", Matrix({1, 2}));
  const fs::path file = s.write("tiny.npz", zip(tiny_items()));
  expect_file_error([&] { load_parameters(file, g); }, file, {"no array 'fc2.W'", "the file has fc1.W, fc1.b"});
  TinyGraph plain;
  auto items = tiny_items();
  items.push_back({"fc9.W.npy", npy("<f8", false, "(1, 1)", doubles({1}))});
  const fs::path extra = s.write("extra.npz", zip(items));
  expect_file_error([&] { load_parameters(extra, plain.graph); }, extra,
                    {"the file has an array 'fc9.W' that the model has no parameter for"});
  const fs::path one_d = s.write("one_d.npz", zip({tiny_items()[0], {"fc1.b.npy", npy("<f8", false, "(2,)", doubles({7, 8}))}}));
  expect_file_error([&] { load_parameters(one_d, plain.graph); }, one_d, {"fc1.b is 1x2 in the file but the model has 2x1"});
}

BOOST_AUTO_TEST_CASE(non_finite_values_are_refused_both_ways) {
  Scratch s;
  TinyGraph tiny;
  tiny.graph.find_parameter("fc1.W")->value(1, 2) = std::numeric_limits<double>::quiet_NaN();
  const fs::path target = s.dir / "p.npz";
  expect_file_error([&] { save_parameters(target, tiny.graph); }, target, {"cannot save", "fc1.W(1, 2) is nan"});
  BOOST_TEST(!fs::exists(target));
  BOOST_TEST(s.entries().empty());
  auto items = tiny_items();
  items[1] = {"fc1.b.npy", npy("<f8", false, "(2, 1)", doubles({7, -std::numeric_limits<double>::infinity()}))};
  const fs::path file = s.write("inf.npz", zip(items));
  TinyGraph g;
  expect_file_error([&] { load_parameters(file, g.graph); }, file, {"fc1.b(1, 0) is -inf"});
}

BOOST_AUTO_TEST_CASE(archives_it_cannot_read_get_a_clear_message) {
  Scratch s;
  TinyGraph g;
  auto with = [&](std::vector<ZipItem> items) { return zip(items); };
  auto items = tiny_items();
  items[0].method = 8;
  struct Case {
    std::string name, bytes, expected;
  };
  const std::vector<Case> cases = {
      {"deflated.npz", with(items), "entry 'fc1.W.npy' is compressed (deflate)"},
      {"text.npz", "fc1.W,fc1.b\n1,2\n", "not an .npz (zip) archive"},
      {"array.npz", npy("<f8", false, "(2, 3)", doubles({1, 2, 3, 4, 5, 6})), "is a .npy file, not an .npz archive"},
      {"c16.npz", with({{"fc1.W.npy", npy("<c16", false, "(2, 3)", std::string(96, '\0'))}, tiny_items()[1]}),
       "entry 'fc1.W.npy': unsupported dtype '<c16'"},
      {"short.npz", with({{"fc1.W.npy", npy("<f8", false, "(2, 3)", doubles({1, 2, 3}))}, tiny_items()[1]}),
       "entry 'fc1.W.npy': truncated"},
      {"long.npz", with({{"fc1.W.npy", npy("<f8", false, "(2, 3)", doubles({1, 2, 3, 4, 5, 6, 7}))}, tiny_items()[1]}),
       "entry 'fc1.W.npy': trailing bytes"},
      {"notnpy.npz", with({{"fc1.W.txt", "hello"}}), "entry 'fc1.W.txt' is not a .npy array"},
      {"twice.npz", with({tiny_items()[0], tiny_items()[0]}), "entry 'fc1.W.npy' appears twice"},
      {"garbage.npz", with({{"fc1.W.npy", "hello"}}), "entry 'fc1.W.npy': not a .npy file"},
      {"shape.npz", with({{"fc1.W.npy", npy("<f8", false, "(2, x)", "")}}), "entry 'fc1.W.npy': bad header dict"},
      {"huge.npz", with({{"fc1.W.npy", npy("<f8", false, "(99999999999, 99999999999)", "")}}), "overflows"},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const fs::path file = s.write(c.name, c.bytes);
      expect_file_error([&] { load_parameters(file, g.graph); }, file, {c.expected});
    }
  }
  expect_file_error([&] { load_parameters(s.dir / "absent.npz", g.graph); }, s.dir / "absent.npz", {"no such file"});
}

BOOST_AUTO_TEST_CASE(every_truncation_and_a_flipped_byte_are_caught) {
  Scratch s;
  TinyGraph g;
  save_parameters(s.dir / "whole.npz", g.graph);
  const std::string whole = read_bytes(s.dir / "whole.npz");
  for (std::size_t cut = 1; cut < whole.size(); ++cut) {
    const fs::path file = s.write("cut.npz", whole.substr(0, cut));
    BOOST_TEST_CONTEXT("first " << cut << " of " << whole.size() << " bytes") {
      BOOST_CHECK_THROW(load_parameters(file, g.graph), FileError);
    }
  }
  std::string flipped = whole;
  const std::size_t npy_start = whole.find("\x93NUMPY");
  const std::size_t header_length = static_cast<unsigned char>(whole[npy_start + 8]) +
                                    256 * static_cast<unsigned char>(whole[npy_start + 9]);
  flipped[npy_start + 10 + header_length + 3] ^= 0x01;  // inside fc1.W's data
  const fs::path file = s.write("flipped.npz", flipped);
  expect_file_error([&] { load_parameters(file, g.graph); }, file, {"CRC mismatch"});
}

// A child saves a large parameter set over and over and is killed with SIGKILL while a save
// is under way; the file must still be a complete archive (the one from before or one of the
// child's), and the only things beside it are temporary files that cannot be taken for it.
BOOST_AUTO_TEST_CASE(a_save_killed_midway_leaves_the_previous_file_intact) {
  Scratch s;
  const fs::path target = s.dir / "params.npz";
  Graph big;
  big.parameter("fc1.W", xt::ones<double>({std::size_t{1500}, std::size_t{1500}}));
  big.parameter("fc1.b", xt::ones<double>({std::size_t{1500}, std::size_t{1}}));
  save_parameters(target, big);

  for (int round = 0; round < 3; ++round) {
    BOOST_TEST_CONTEXT("round " << round) {
      const pid_t child = ::fork();
      BOOST_TEST_REQUIRE(child >= 0);
      if (child == 0) {
        try {
          for (double v = 2.0;; v += 1.0) {
            for (Parameter* p : big.parameters()) p->value.fill(v);
            save_parameters(target, big);
          }
        } catch (...) {
        }
        ::_exit(3);
      }
      // Wait until a save is under way (its temporary file exists), then a little more.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      bool saving = false;
      while (!saving && std::chrono::steady_clock::now() < deadline) {
        for (const std::string& name : s.entries()) saving = saving || name.find(".tmp-") != std::string::npos;
        if (!saving) std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(3 * round));
      ::kill(child, SIGKILL);
      int status = 0;
      ::waitpid(child, &status, 0);
      BOOST_TEST(saving);
      BOOST_TEST((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL), "child ended with status " << status);

      Graph loaded;
      loaded.parameter("fc1.W", xt::zeros<double>({std::size_t{1500}, std::size_t{1500}}));
      loaded.parameter("fc1.b", xt::zeros<double>({std::size_t{1500}, std::size_t{1}}));
      BOOST_REQUIRE_NO_THROW(load_parameters(target, loaded));
      const double v = loaded.parameters()[0]->value(0, 0);
      BOOST_TEST(v >= 1.0);
      for (const Parameter* p : loaded.parameters()) {
        BOOST_TEST(xt::all(xt::equal(p->value, v)), p->name << " is not all " << v << ": a mix of two saves");
      }
      for (const std::string& name : s.entries()) {
        if (name == target.filename()) continue;
        BOOST_TEST(name.rfind(".params.npz.tmp-", 0) == 0, "unexpected file " << name);
        BOOST_TEST(!name.ends_with(".npz"), name);
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
