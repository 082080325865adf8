// The bad-input corpus (tests/bad_inputs/cases.txt and its files) run through the xgrad
// program (XGRAD_CLI): every case gives one stderr line "xgrad: error: ..." holding the
// expected message, the expected exit status, no crash, and no file left behind.
#define BOOST_TEST_MODULE bad_inputs
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Case {
  int line = 0;
  std::vector<std::string> args;
  std::string message;
  int status = 0;
};

struct Outcome {
  int status = -1;
  int signal = 0;
  std::string out, err;
};

fs::path corpus_dir() {
  const char* source = std::getenv("XGRAD_SOURCE_DIR");
  BOOST_TEST_REQUIRE(source != nullptr, "XGRAD_SOURCE_DIR is not set; run through meson test");
  return fs::path(source) / "tests" / "bad_inputs";
}

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// "@name" -> the corpus file's path, wherever it appears.
std::string expand(const std::string& text, const fs::path& dir) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '@') {
      out += text[i];
      continue;
    }
    std::size_t end = i + 1;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_' ||
                                 text[end] == '.' || text[end] == '-')) {
      ++end;
    }
    out += (dir / text.substr(i + 1, end - i - 1)).string();
    i = end - 1;
  }
  return out;
}

std::vector<Case> read_cases(const fs::path& dir, std::set<std::string>* files_used) {
  std::ifstream in(dir / "cases.txt");
  BOOST_TEST_REQUIRE(static_cast<bool>(in), "cannot read " << (dir / "cases.txt"));
  std::vector<Case> cases;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (trim(line).empty() || trim(line)[0] == '#') continue;
    const auto bar1 = line.find('|');
    const auto bar2 = line.rfind('|');
    BOOST_TEST_REQUIRE((bar1 != std::string::npos && bar2 != bar1), "cases.txt:" << number << ": expected 'args | message | status'");
    Case c;
    c.line = number;
    std::istringstream words(line.substr(0, bar1));
    for (std::string w; words >> w;) {
      if (w[0] == '@' && files_used != nullptr) files_used->insert(w.substr(1));
      c.args.push_back(w == "''" ? std::string() : expand(w, dir));
    }
    c.message = expand(trim(line.substr(bar1 + 1, bar2 - bar1 - 1)), dir);
    c.status = std::stoi(trim(line.substr(bar2 + 1)));
    cases.push_back(std::move(c));
  }
  return cases;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs the program with `args` in `work`, stdout and stderr captured in `logs`.
Outcome run(const std::vector<std::string>& args, const fs::path& work, const fs::path& logs) {
  const char* cli = std::getenv("XGRAD_CLI");
  BOOST_TEST_REQUIRE(cli != nullptr, "XGRAD_CLI (the xgrad program's path) is not set; run through meson test");
  const fs::path out = logs / "stdout", err = logs / "stderr";
  const pid_t child = ::fork();
  BOOST_TEST_REQUIRE(child >= 0);
  if (child == 0) {
    std::vector<char*> argv{const_cast<char*>(cli)};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = ::open("/dev/null", O_RDONLY);
    if (o < 0 || e < 0 || null < 0 || ::chdir(work.c_str()) != 0) ::_exit(127);
    ::dup2(null, 0);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::execv(cli, argv.data());
    ::_exit(127);
  }
  int raw = 0;
  ::waitpid(child, &raw, 0);
  Outcome r;
  if (WIFEXITED(raw)) r.status = WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) r.signal = WTERMSIG(raw);
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

struct Scratch {
  fs::path root;
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "xgrad_bad_inputs_XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    root = pattern;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

// Output flags a run would write had its input been right.
std::vector<std::string> with_outputs(const std::vector<std::string>& args) {
  std::vector<std::string> outputs;
  if (args.front() == "train") outputs = {"--json", "report.json", "--save", "params", "--plots", "plots"};
  if (args.front() == "experiments") outputs = {"--json", "report.json", "--out", "plots"};
  std::vector<std::string> full{args.front()};
  full.insert(full.end(), outputs.begin(), outputs.end());
  full.insert(full.end(), args.begin() + 1, args.end());
  return full;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bad_inputs)

BOOST_AUTO_TEST_CASE(the_corpus_is_large_and_every_file_in_it_is_used) {
  const fs::path dir = corpus_dir();
  std::set<std::string> used;
  const std::vector<Case> cases = read_cases(dir, &used);
  BOOST_TEST(cases.size() >= 30u);
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == "cases.txt") continue;
    BOOST_TEST(used.count(name) == 1u, name << " is in tests/bad_inputs/ but no case uses it");
  }
}

BOOST_AUTO_TEST_CASE(every_case_gives_its_message_and_status_and_leaves_nothing) {
  const fs::path dir = corpus_dir();
  for (const Case& c : read_cases(dir, nullptr)) {
    Scratch s;
    const fs::path work = s.root / "work";
    fs::create_directory(work);
    std::string shown;
    for (const std::string& a : c.args) shown += " '" + a + "'";
    BOOST_TEST_CONTEXT("cases.txt:" << c.line << ": xgrad" << shown) {
      const Outcome r = run(with_outputs(c.args), work, s.root);
      BOOST_TEST(r.signal == 0, "killed by signal " << r.signal << "; stderr: " << r.err);
      BOOST_TEST(r.status == c.status, "status " << r.status << "; stderr: " << r.err);
      BOOST_TEST(r.err.starts_with("xgrad: error: "), r.err);
      BOOST_TEST((std::count(r.err.begin(), r.err.end(), '\n') == 1 && r.err.back() == '\n'),
                 "not one line: " << r.err);
      BOOST_TEST(r.err.find(c.message) != std::string::npos, "'" << c.message << "' not in: " << r.err);
      if (c.status == 2) BOOST_TEST(r.out.find("Cost after") == std::string::npos, "training started: " << r.out);
      std::vector<std::string> left;
      for (const auto& entry : fs::recursive_directory_iterator(work)) left.push_back(entry.path().string());
      BOOST_TEST(left.empty(), "files left behind: " << (left.empty() ? "" : left.front()));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
