// The xgrad program, run as a user runs it (XGRAD_CLI, set by meson test, is its path):
// outputs, files, exit statuses and error lines.
#define BOOST_TEST_MODULE cli
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli_scratch.hpp"
#include "reference.hpp"
#include <xgrad/io/npy.hpp>
#include <xgrad/io/npz.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/core/threads.hpp>
#include <xgrad/version.hpp>
#include <xgrad/train/train.hpp>

namespace fs = std::filesystem;
using xgrad::Matrix;
using xgrad::testing::needs_shared;
using xgrad::testing::reference;
using Json = nlohmann::json;

namespace {

using Result = xgrad::testing::CliResult;
using xgrad::testing::contains;
using xgrad::testing::describe;
using xgrad::testing::file_text;
using xgrad::testing::lines_of;
using xgrad::testing::run_shell;
using xgrad::testing::shell_quoted;

// Every run of whitespace as one space (help text is wrapped).
std::string squeezed(const std::string& text) {
  std::istringstream words(text);
  std::string out, word;
  while (words >> word) out += (out.empty() ? "" : " ") + word;
  return out;
}

// A scratch folder per test (tests/support/cli_scratch.hpp).
struct Scratch : xgrad::testing::CliScratch {
  Scratch() : CliScratch("xgrad_cli_") {}
};

std::optional<fs::path> football() { return xgrad::testing::shared_file("data/football.mat"); }

bool gnuplot_on_path() { return std::system("command -v gnuplot > /dev/null 2>&1") == 0; }

const std::vector<std::pair<std::string, std::array<std::size_t, 2>>> he_shapes = {
    {"fc1.W", {10, 2}}, {"fc1.b", {10, 1}}, {"fc2.W", {5, 10}}, {"fc2.b", {5, 1}}, {"fc3.W", {1, 5}}, {"fc3.b", {1, 1}}};

}  // namespace

BOOST_AUTO_TEST_CASE(help_on_every_command) {
  Scratch s;
  const Result top = s.run({"--help"});
  BOOST_TEST(top.status == 0, describe(top));
  for (const char* command : {"train", "gradcheck", "experiments"}) {
    BOOST_TEST(contains(top.out, command));
    const Result r = s.run({command, "--help"});
    BOOST_TEST(r.status == 0, describe(r));
    BOOST_TEST(contains(r.out, std::string("usage: xgrad ") + command), r.out);
    BOOST_TEST(r.err.empty(), r.err);
  }
  const Result train = s.run({"train", "--help"});
  BOOST_TEST(contains(squeezed(train.out), "N/3 samples from seed K+1 for testing"), train.out);
  for (const char* flag : {"--layers", "--init", "--lr", "--iterations", "--lambd", "--keep-prob", "--dropout-masks",
                           "--print-every", "--json", "--save", "--data", "--x-train", "--test-data", "--loss",
                           "--optimizer", "--beta", "--beta1", "--beta2", "--epsilon", "--mini-batch-size", "--epochs",
                           "--shuffle-seed", "--decay-rate", "--decay-interval", "--input-keep-prob"}) {
    BOOST_TEST(contains(train.out, flag), flag);
  }
  BOOST_TEST(s.work_files().empty());
}

BOOST_AUTO_TEST_CASE(train_json_has_the_settings_costs_accuracies_and_predictions) {
  Scratch s;
  const Result r = s.run({"train", "--iterations", "2000", "--json", "f.json"});
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  BOOST_TEST(r.err.empty(), r.err);
  const Json j = Json::parse(file_text(s.work / "f.json"));
  for (const char* key : {"settings", "cost_iterations", "costs", "final_cost", "train_accuracy", "test_accuracy",
                          "train_predictions", "test_predictions"}) {
    BOOST_TEST(j.contains(key), key);
  }
  BOOST_TEST(j["settings"]["layers"] == Json::parse("[2, 10, 5, 1]"));
  BOOST_TEST(j["settings"]["init"] == "he");
  BOOST_TEST(j["settings"]["iterations"] == 2000);
  BOOST_TEST(j["cost_iterations"] == Json::parse("[0, 1000]"));
  BOOST_TEST_REQUIRE(j["costs"].size() == 2u);
  // The printed lines and the JSON agree to the last digit.
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string line = xgrad::cost_line(1000 * i, j["costs"][i].get<double>());
    BOOST_TEST(contains(r.out, line + "\n"), line << " not in\n" << r.out);
  }
  for (const char* key : {"train_accuracy", "test_accuracy"}) {
    const double a = j[key].get<double>();
    BOOST_TEST((a >= 0.0 && a <= 1.0), key << " " << a);
  }
  const std::pair<const char*, std::size_t> sets[] = {{"train_predictions", 300}, {"test_predictions", 100}};
  for (const auto& [key, m] : sets) {
    BOOST_TEST_REQUIRE(j[key].size() == 1u, key);
    BOOST_TEST_REQUIRE(j[key][0].size() == m, key);
    for (const Json& p : j[key][0]) BOOST_TEST((p == 0 || p == 1), key << " holds " << p);
  }
  BOOST_TEST(contains(r.out, "train accuracy: " + xgrad::format_double(j["train_accuracy"].get<double>())));
  const auto files = s.work_files();
  BOOST_TEST(files.size() == 1u, "only f.json should be written; temporary files left?");
}

BOOST_AUTO_TEST_CASE(he_run_reproduces_the_notes_accuracies, *needs_shared("reference/seed_expected.json")) {
  Scratch s;
  const Result r = s.run({"train", "--init", "he", "--layers", "10,5,1", "--lr", "0.01", "--iterations", "15000",
                          "--json", "he.json"});
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  const Json j = Json::parse(file_text(s.work / "he.json"));
  const auto& ref = reference()["init_he"];
  BOOST_TEST(j["train_accuracy"].get<double>() == ref["train_accuracy"].get<double>());
  BOOST_TEST(j["test_accuracy"].get<double>() == ref["test_accuracy"].get<double>());
  BOOST_TEST(j["train_accuracy"].get<double>() == 0.9933333333333333);
  BOOST_TEST(j["test_accuracy"].get<double>() == 0.96);
  BOOST_TEST(j["train_predictions"] == ref["train_predictions"]);
  BOOST_TEST(j["test_predictions"] == ref["test_predictions"]);
  BOOST_TEST_REQUIRE(j["costs"].size() == ref["costs"].size());
  for (std::size_t i = 0; i < j["costs"].size(); ++i) {
    const double got = j["costs"][i].get<double>(), want = ref["costs"][i].get<double>();
    BOOST_TEST(std::abs(got - want) <= 1e-9 * want, "cost " << i << ": " << got << " vs " << want);
  }
}

BOOST_AUTO_TEST_CASE(version_prints_the_library_version_and_the_blas_it_runs_on) {
  Scratch s;
  const Result r = s.run({"--version"});
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  BOOST_TEST(r.err.empty(), r.err);
  const auto lines = lines_of(r.out);
  BOOST_TEST_REQUIRE(lines.size() == 5u, r.out);
  // The program and this test link the same libxgrad and OpenBLAS on the same CPU.
  BOOST_TEST(lines[0] == std::string("xgrad ") + XGRAD_VERSION_STRING);
  BOOST_TEST(lines[1] == "OpenBLAS kernel: " + xgrad::blas_kernel());
  BOOST_TEST(lines[2] == "OpenBLAS configuration: " + xgrad::blas_config());
  BOOST_TEST(lines[3] == "BLAS threads: " + std::to_string(xgrad::blas_threads()));
  // Same affinity mask as this test, so the same default.
  BOOST_TEST(lines[4] == "xgrad threads: " + std::to_string(xgrad::threads()));
  // The thread count is the program's own, not a constant: OpenBLAS reads it at start.
  const Result one = s.run({"--version"}, "OPENBLAS_NUM_THREADS=1");
  BOOST_TEST(contains(one.out, "\nBLAS threads: 1\n"), one.out);
  const Result three = s.run({"--threads", "3", "--version"});
  BOOST_TEST(contains(three.out, "\nxgrad threads: 3\n"), three.out);
  for (const char* bad : {"0", "-1", "4097", "two"}) {
    const Result refused = s.run({"--threads", bad, "--version"});
    BOOST_TEST(refused.status == 2, bad << ": " << describe(refused));
    BOOST_TEST(contains(refused.err, "--threads"), bad << ": " << refused.err);
  }
  BOOST_TEST(s.work_files().empty());
}

BOOST_AUTO_TEST_CASE(json_settings_record_the_version_blas_and_the_course_defaults) {
  Scratch s;
  const Result r = s.run({"--threads", "1", "train", "--layers", "20,3,1", "--keep-prob", "0.86", "--iterations", "3",
                          "--print-every", "0", "--json", "r.json"},
                         "OPENBLAS_NUM_THREADS=1");
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  const Json settings = Json::parse(file_text(s.work / "r.json"))["settings"];
  BOOST_TEST(settings["xgrad_version"] == XGRAD_VERSION_STRING);
  BOOST_TEST(settings["blas_kernel"] == xgrad::blas_kernel());
  BOOST_TEST(settings["blas_config"] == xgrad::blas_config());
  BOOST_TEST(settings["blas_threads"] == 1);
  BOOST_TEST(settings["threads"] == 1);
  // The command line reproduces the course: replayed dropout masks unless told otherwise.
  BOOST_TEST(settings["dropout_masks"] == "replay");
  BOOST_TEST(settings["keep_prob"] == 0.86);

  const Result fresh = s.run({"train", "--layers", "20,3,1", "--keep-prob", "0.86", "--dropout-masks", "fresh",
                              "--iterations", "3", "--print-every", "0", "--json", "f.json"});
  BOOST_TEST_REQUIRE(fresh.status == 0, describe(fresh));
  const Json f = Json::parse(file_text(s.work / "f.json"))["settings"];
  BOOST_TEST(f["dropout_masks"] == "fresh");
  BOOST_TEST(f["blas_threads"] == xgrad::blas_threads());
  BOOST_TEST(f["threads"] == xgrad::threads());
}

BOOST_AUTO_TEST_CASE(experiments_json_records_the_blas_of_every_run) {
  Scratch s;
  const Result r = s.run({"experiments", "--quick", "--only", "init_he,reg_dropout", "--json", "e.json"},
                         "OPENBLAS_NUM_THREADS=1 PATH=/nonexistent");
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  const Json j = Json::parse(file_text(s.work / "e.json"));
  for (const char* key : {"init_he", "reg_dropout"}) {
    BOOST_TEST(j["experiments"][key]["settings"]["blas_kernel"] == xgrad::blas_kernel(), key);
    BOOST_TEST(j["experiments"][key]["settings"]["blas_threads"] == 1, key);
  }
  BOOST_TEST(j["experiments"]["reg_dropout"]["settings"]["dropout_masks"] == "replay");
}

BOOST_AUTO_TEST_CASE(save_writes_an_npz_and_a_folder_of_npy_files) {
  Scratch s;
  const Result r = s.run({"train", "--iterations", "10", "--print-every", "0", "--save", "params", "--json", "p.json"});
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  BOOST_TEST(!contains(r.out, "Cost after"), "--print-every 0 prints no cost lines");
  const auto entries = xgrad::load_npz(s.work / "params.npz");  // CRC- and shape-checked
  BOOST_TEST_REQUIRE(entries.size() == he_shapes.size());
  for (std::size_t k = 0; k < entries.size(); ++k) {
    BOOST_TEST(entries[k].first == he_shapes[k].first);
    BOOST_TEST(entries[k].second.shape(0) == he_shapes[k].second[0], entries[k].first);
    BOOST_TEST(entries[k].second.shape(1) == he_shapes[k].second[1], entries[k].first);
  }

  const Result folder = s.run({"train", "--iterations", "10", "--save", "weights/"});
  BOOST_TEST_REQUIRE(folder.status == 0, describe(folder));
  for (const auto& [name, shape] : he_shapes) {
    const Matrix m = xgrad::load_npy(s.work / "weights" / (name + ".npy"));
    BOOST_TEST(m.shape(0) == shape[0], name);
    BOOST_TEST(m.shape(1) == shape[1], name);
  }
  // Same seeds and settings: the same parameters either way.
  BOOST_TEST((entries[2].second == xgrad::load_npy(s.work / "weights" / "fc2.W.npy")));
}

BOOST_AUTO_TEST_CASE(trains_on_csv_and_npy_files) {
  Scratch s;
  {
    std::ofstream csv(s.work / "train.csv");
    csv << "x1,x2,x3,label\n";
    for (int i = 0; i < 40; ++i) csv << i * 0.1 << ',' << (i % 7) * 0.2 << ',' << -i * 0.05 << ',' << (i < 20 ? 0 : 1) << '\n';
  }
  const Result csv = s.run({"train", "--data", "train.csv", "--layers", "4,1", "--iterations", "50", "--json", "c.json"});
  BOOST_TEST_REQUIRE(csv.status == 0, describe(csv));
  const Json c = Json::parse(file_text(s.work / "c.json"));
  BOOST_TEST(c["settings"]["layers"] == Json::parse("[3, 4, 1]"));
  BOOST_TEST(c["test_accuracy"].is_null());
  BOOST_TEST(c["train_predictions"][0].size() == 40u);
  BOOST_TEST(contains(csv.out, "no test set"));

  Matrix X({3, 30}), Y({1, 30});
  for (std::size_t k = 0; k < 30; ++k) {
    X(0, k) = static_cast<double>(k) / 30.0;
    X(1, k) = static_cast<double>(k % 5);
    X(2, k) = 1.0;
    Y(0, k) = k % 2 == 0 ? 1.0 : 0.0;
  }
  xgrad::save_npy(s.work / "X.npy", X);
  xgrad::save_npy(s.work / "Y.npy", Y);
  const Result npy = s.run({"train", "--data", "X.npy", "--labels", "Y.npy", "--test-data", "X.npy", "--test-labels",
                            "Y.npy", "--layers", "3,1", "--iterations", "20", "--json", "n.json"});
  BOOST_TEST_REQUIRE(npy.status == 0, describe(npy));
  const Json n = Json::parse(file_text(s.work / "n.json"));
  BOOST_TEST(n["settings"]["layers"] == Json::parse("[3, 3, 1]"));
  BOOST_TEST(n["test_predictions"][0].size() == 30u);
}

BOOST_AUTO_TEST_CASE(trains_on_the_football_mat_file_as_the_notes,
                     *needs_shared("data/football.mat") * needs_shared("reference/seed_expected.json")) {
  Scratch s;
  const Result r = s.run({"train", "--data", football()->string(), "--layers", "20,3,1", "--init", "xavier", "--lr",
                          "0.3", "--iterations", "30000", "--lambd", "0.7", "--print-every", "10000", "--json", "l2.json"});
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  const Json j = Json::parse(file_text(s.work / "l2.json"));
  const auto& ref = reference()["reg_l2"];
  BOOST_TEST(j["train_accuracy"].get<double>() == ref["train_accuracy"].get<double>());
  BOOST_TEST(j["test_accuracy"].get<double>() == ref["test_accuracy"].get<double>());
  BOOST_TEST(j["train_predictions"][0].size() == 211u);
  BOOST_TEST(j["test_predictions"][0].size() == 200u);
}

BOOST_AUTO_TEST_CASE(experiments_quick_writes_plots_and_a_summary) {
  Scratch s;
  std::vector<std::string> args = {"experiments", "--quick", "--out", "plots", "--json", "e.json"};
  if (football()) {
    args.push_back("--data");
    args.push_back(football()->string());
  }
  const Result r = s.run(args);
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  BOOST_TEST(r.err.empty(), r.err);
  if (!football()) BOOST_TEST(contains(r.out, "stand-in"), r.out);
  for (const char* key : {"init_zeros", "init_random", "init_he", "reg_none", "reg_l2", "reg_dropout",
                          "reg_l2_dropout", "reg_dropout_fresh"}) {
    BOOST_TEST(contains(r.out, std::string("\n") + key + " "), key << " missing from the table:\n" << r.out);
    for (const std::string suffix : {".gp", "_cost.dat", "_boundary.dat", "_points.dat"}) {
      BOOST_TEST(fs::is_regular_file(s.work / "plots" / (key + suffix)), key << suffix);
    }
  }
  BOOST_TEST(!contains(r.out, "Cost after"), "cost lines only with --verbose");
  BOOST_TEST(contains(r.out, "check_graph (whole model): gradient check PASSED"), r.out);
  BOOST_TEST(contains(r.out, "check_nodes (node by node): gradient check PASSED"), r.out);
  const Json j = Json::parse(file_text(s.work / "e.json"));
  BOOST_TEST(j["experiments"].size() == 8u);
  BOOST_TEST(j["gradient_checks"].size() == 2u);

  if (!gnuplot_on_path()) {
    BOOST_TEST_MESSAGE("gnuplot is not on PATH: the PNG assertions are skipped");
    BOOST_TEST(contains(r.out, "gnuplot not found"), r.out);
    return;
  }
  const std::string png_signature = "\x89PNG\r\n\x1a\n";
  for (const char* png : {"init_he_boundary.png", "init_he_cost.png", "reg_l2_boundary.png"}) {
    const std::string bytes = file_text(s.work / "plots" / png);
    BOOST_TEST(bytes.substr(0, 8) == png_signature, png << " is not a PNG (" << bytes.size() << " bytes)");
  }
}

BOOST_AUTO_TEST_CASE(without_gnuplot_the_data_files_are_still_written) {
  Scratch s;
  const Result r = s.run({"experiments", "--quick", "--only", "init_he", "--verbose"}, "PATH=/nonexistent");
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  const auto lines = lines_of(r.out);
  std::size_t notices = 0;
  for (const std::string& line : lines) notices += contains(line, "gnuplot not found on PATH") ? 1 : 0;
  BOOST_TEST(notices == 1u, r.out);
  BOOST_TEST(contains(r.out, "Cost after iteration 1000: "), "--verbose prints the cost lines");
  BOOST_TEST(fs::is_regular_file(s.work / "out" / "init_he.gp"));
  BOOST_TEST(fs::is_regular_file(s.work / "out" / "init_he_boundary.dat"));
  BOOST_TEST(!fs::exists(s.work / "out" / "init_he_boundary.png"));
}

BOOST_AUTO_TEST_CASE(bad_flags_give_one_error_line_status_2_and_no_files) {
  struct Case {
    std::vector<std::string> args;
    std::string named;  // the flag or value the message must name
  };
  const std::vector<Case> cases = {
      {{"train", "--bogus"}, "--bogus"},
      {{"train", "--lr"}, "--lr"},
      {{"train", "--lr", "0"}, "--lr"},
      {{"train", "--lr", "-1"}, "--lr"},
      {{"train", "--lr", "abc"}, "abc"},
      {{"train", "--lr", "nan"}, "--lr"},
      {{"train", "--iterations", "0"}, "--iterations"},
      {{"train", "--iterations", "1.5"}, "--iterations"},
      {{"train", "--layers", ""}, "--layers"},
      {{"train", "--layers", "10,0,1"}, "--layers"},
      {{"train", "--layers", "10,x,1"}, "--layers"},
      {{"train", "--keep-prob", "1.5"}, "--keep-prob"},
      {{"train", "--keep-prob", "0"}, "--keep-prob"},
      {{"train", "--lambd", "-1"}, "--lambd"},
      {{"train", "--init", "bogus"}, "bogus"},
      {{"train", "--dropout-masks", "bogus"}, "--dropout-masks"},
      {{"train", "--init-seed", "-3"}, "--init-seed"},
      {{"train", "--init-scale", "5"}, "--init-scale"},
      {{"train", "--data", "/nonexistent.mat"}, "/nonexistent.mat"},
      {{"train", "--data", "/nonexistent.csv"}, "/nonexistent.csv"},
      {{"train", "--data", "data.txt"}, "data.txt"},
      {{"train", "--dataset", "moons"}, "moons"},
      {{"train", "--samples", "100"}, "--samples"},
      {{"train", "--lr", "0.1", "--lr", "0.2"}, "--lr"},
      {{"train", "stray"}, "stray"},
      {{"train", "--print-every", "-1"}, "--print-every"},
      {{"gradcheck", "--examples", "0"}, "--examples"},
      {{"gradcheck", "--examples", "100000"}, "--examples"},
      {{"gradcheck", "--step", "0"}, "--step"},
      {{"experiments", "--bogus"}, "--bogus"},
      {{"experiments", "--only", "nope"}, "nope"},
      {{"experiments", "--data", "/nonexistent.mat"}, "/nonexistent.mat"},
      {{"bogus"}, "bogus"},
      {{"train", "--quick"}, "--quick"},
      {{"train", "--data", ""}, "--data"},
      {{"train", "--data", "x.csv", "--test-data", ""}, "--test-data"},
      {{"experiments", "--data", ""}, "--data"},
      {{"experiments", "--only", ""}, "--only"},
      {{"experiments", "--verbose=yes"}, "verbose"},
      {{"train", "--data", "x.csv", "--dataset", "circles"}, "--dataset"},
      {{"train", "--labels", "y.npy"}, "--labels"},
      {{"train", "--data-seed", "4294967295", "--dataset", "circles"}, "--data-seed"},
      {{"train", "--loss", "softmax"}, "--loss"},
      {{"train", "--loss", "hinge"}, "hinge"},
      {{"train", "--layers", "10,3"}, "--layers"},
      {{"train", "--layers", "10:swish,1"}, "swish"},
      {{"train", "--layers", "10:tanh=2,1"}, "--layers"},
      {{"train", "--layers", "10,1:relu"}, "--layers"},  // (1:sigmoid is folded into the loss: accepted)
      {{"train", "--optimizer", "rmsprop"}, "rmsprop"},
      {{"train", "--beta", "0.5"}, "--beta"},
      {{"train", "--optimizer", "momentum", "--beta", "1"}, "--beta"},
      {{"train", "--beta1", "0.5"}, "--beta1"},
      {{"train", "--optimizer", "adam", "--beta2", "1.5"}, "--beta2"},
      {{"train", "--optimizer", "momentum", "--epsilon", "1e-7"}, "--epsilon"},
      {{"train", "--epochs", "5"}, "--epochs"},
      {{"train", "--mini-batch-size", "5"}, "--mini-batch-size"},
      {{"train", "--mini-batch-size", "5", "--epochs", "2", "--iterations", "3"}, "--iterations"},
      {{"train", "--shuffle-seed", "1"}, "--shuffle-seed"},
      {{"train", "--decay-interval", "2"}, "--decay-interval"},
      {{"train", "--decay-rate", "nan"}, "--decay-rate"},
      {{"train", "--input-keep-prob", "2"}, "--input-keep-prob"},
      {{"gradcheck", "--loss", "mse", "--layers", "4,2"}, "--layers"},
  };
  for (const Case& c : cases) {
    Scratch s;
    std::vector<std::string> args = c.args;
    std::string shown;
    for (const std::string& a : args) shown += " '" + a + "'";
    // Outputs that would be written had the flags been right; a trailing flag stays last.
    const std::vector<std::string> outputs =
        c.args[0] == "train" ? std::vector<std::string>{"--json", "r.json", "--save", "p", "--plots", "plots"}
        : c.args[0] == "experiments" ? std::vector<std::string>{"--json", "r.json", "--out", "plots"}
                                     : std::vector<std::string>{};
    args.insert(args.begin() + 1, outputs.begin(), outputs.end());
    const Result r = s.run(args);
    BOOST_TEST(r.status == 2, shown << ": " << describe(r));
    const auto lines = lines_of(r.err);
    BOOST_TEST(lines.size() == 1u, shown << ": " << r.err);
    BOOST_TEST(r.err.starts_with("xgrad: error: "), shown << ": " << r.err);
    BOOST_TEST(contains(r.err, c.named), shown << ": the message should name " << c.named << ": " << r.err);
    BOOST_TEST(r.out.empty(), shown << ": stdout: " << r.out);
    BOOST_TEST(s.work_files().empty(), shown << ": files were left behind");
  }
}

BOOST_AUTO_TEST_CASE(output_folders_are_checked_before_training) {
  Scratch s;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"train", "--json", "missing/r.json"}, {"train", "--save", "missing/p"}}) {
    const Result r = s.run(args);
    BOOST_TEST(r.status == 2, describe(r));
    BOOST_TEST(lines_of(r.err).size() == 1u, r.err);
    BOOST_TEST(contains(r.err, "missing"), r.err);
    BOOST_TEST(!contains(r.out, "Cost after"), "the run should not start");
  }
}

BOOST_AUTO_TEST_CASE(a_diverging_run_is_a_run_error_with_status_1) {
  Scratch s;
  const Result r = s.run({"train", "--lr", "1e300", "--iterations", "100", "--json", "r.json"});
  BOOST_TEST(r.status == 1, describe(r));
  BOOST_TEST(lines_of(r.err).size() == 1u, r.err);
  BOOST_TEST(r.err.starts_with("xgrad: error: iteration "), r.err);
  BOOST_TEST(s.work_files().empty(), "no report for a failed run");
}

BOOST_AUTO_TEST_CASE(gradcheck_passes_on_a_correct_model) {
  Scratch s;
  const Result plain = s.run({"gradcheck", "--examples", "20"});
  BOOST_TEST(plain.status == 0, describe(plain));
  BOOST_TEST(contains(plain.out, "== check_graph"), plain.out);
  BOOST_TEST(contains(plain.out, "== check_nodes"), plain.out);
  BOOST_TEST(contains(plain.out, "check_graph passed, check_nodes passed"), plain.out);
  const Result regularized =
      s.run({"gradcheck", "--layers", "20,3,1", "--init", "xavier", "--lambd", "0.7", "--keep-prob", "0.86",
             "--examples", "40", "--dataset", "circles", "--samples", "60", "--noise", "0.1"});
  BOOST_TEST(regularized.status == 0, describe(regularized));
  BOOST_TEST(contains(regularized.out, "dropout1"), "the dropout nodes are checked");
  BOOST_TEST(s.work_files().empty());
}

BOOST_AUTO_TEST_CASE(no_command_is_a_usage_error) {
  Scratch s;
  const Result r = s.run({});
  BOOST_TEST(r.status == 2, describe(r));
  BOOST_TEST(r.err.starts_with("xgrad: error: "), r.err);
  BOOST_TEST(lines_of(r.err).size() == 1u);
}

namespace {

// Three classes around (0, 3), (-3, -2), (3, -2), spread 0.25 (a fixed pattern, no random
// draws), one example per row with the class index last: every point is more than 11
// spreads from the other classes' centres, so a trained model puts each on its side.
void write_three_classes(const fs::path& file, std::size_t m) {
  const double centres[3][2] = {{0.0, 3.0}, {-3.0, -2.0}, {3.0, -2.0}};
  std::ofstream csv(file);
  csv << "x1,x2,class\n";
  for (std::size_t j = 0; j < m; ++j) {
    const std::size_t c = j % 3;
    const double dx = 0.25 * std::cos(0.7 * static_cast<double>(j)), dy = 0.25 * std::sin(1.3 * static_cast<double>(j));
    csv << xgrad::format_double(centres[c][0] + dx) << ',' << xgrad::format_double(centres[c][1] + dy) << ',' << c << '\n';
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_multi_class_run_with_adam_on_mini_batches) {
  Scratch s;
  write_three_classes(s.work / "train.csv", 60);
  write_three_classes(s.work / "test.csv", 30);
  const Result r = s.run({"train", "--data", "train.csv", "--test-data", "test.csv", "--layers", "8:tanh,3:", "--loss",
                          "softmax", "--optimizer", "adam", "--beta2", "0.99", "--mini-batch-size", "16", "--epochs",
                          "100", "--shuffle-seed", "11", "--print-every", "50", "--record-every", "10", "--json",
                          "r.json", "--save", "p.npz"});
  BOOST_TEST(r.status == 2, "an empty activation after ':' is an error: " << describe(r));
  const Result ok = s.run({"train", "--data", "train.csv", "--test-data", "test.csv", "--layers", "8:tanh,3", "--loss",
                           "softmax", "--optimizer", "adam", "--beta2", "0.99", "--mini-batch-size", "16", "--epochs",
                           "100", "--shuffle-seed", "11", "--print-every", "50", "--record-every", "10", "--json",
                           "r.json", "--save", "p.npz"});
  BOOST_TEST_REQUIRE(ok.status == 0, describe(ok));
  BOOST_TEST(ok.err.empty(), ok.err);
  BOOST_TEST(contains(ok.out, "training: 100 epochs of mini-batches of 16 (shuffle seed 11) at learning rate 0.01, adam"),
             ok.out);
  const Json j = Json::parse(file_text(s.work / "r.json"));
  const Json& settings = j["settings"];
  BOOST_TEST(settings["layers"] == Json::parse("[2, 8, 3]"));
  BOOST_TEST(settings["activations"] == Json::parse(R"(["tanh", "softmax"])"));
  BOOST_TEST(settings["layers_flag"] == "8:tanh,3");
  BOOST_TEST(settings["loss"] == "softmax_cross_entropy");
  BOOST_TEST(settings["labels"] == "class_index");
  BOOST_TEST(settings["optimizer_kind"] == "adam");
  BOOST_TEST(settings["beta1"].get<double>() == 0.9);
  BOOST_TEST(settings["beta2"].get<double>() == 0.99);
  BOOST_TEST(settings["epsilon"].get<double>() == 1e-8);
  BOOST_TEST(settings["mini_batch_size"] == 16);
  BOOST_TEST(settings["epochs"] == 100);
  BOOST_TEST(settings["shuffle_seed"] == 11);
  BOOST_TEST(!settings.contains("iterations"));
  BOOST_TEST(j["costs_per"] == "epoch");
  BOOST_TEST(j["cost_iterations"] == Json::parse("[0, 10, 20, 30, 40, 50, 60, 70, 80, 90]"));
  // The printed lines (every 50 epochs) and the JSON agree to the last digit.
  for (std::size_t i : {0u, 5u}) {
    const std::string line = xgrad::cost_line(10 * i, j["costs"][i].get<double>(), "epoch");
    BOOST_TEST(contains(ok.out, line + "\n"), line << " not in\n" << ok.out);
  }
  // Multi-class accuracy: every point on its class's side, predictions are class indices.
  BOOST_TEST(j["train_accuracy"].get<double>() == 1.0);
  BOOST_TEST(j["test_accuracy"].get<double>() == 1.0);
  BOOST_TEST_REQUIRE(j["test_predictions"][0].size() == 30u);
  for (std::size_t k = 0; k < 30; ++k) BOOST_TEST(j["test_predictions"][0][k] == k % 3, "example " << k);
  const auto saved = xgrad::load_npz(s.work / "p.npz");
  BOOST_TEST_REQUIRE(saved.size() == 4u);
  BOOST_TEST(saved[2].first == "fc2.W");
  BOOST_TEST(saved[2].second.shape(0) == 3u);
  BOOST_TEST(saved[2].second.shape(1) == 8u);

  // A class index out of range names the file, the line, the field and the value.
  {
    std::ofstream(s.work / "four.csv") << "0,1,0\n1,0,3\n";
  }
  const Result four = s.run({"train", "--data", "four.csv", "--layers", "4,3", "--loss", "softmax_cross_entropy"});
  BOOST_TEST(four.status == 2, describe(four));
  BOOST_TEST(four.err == "xgrad: error: --data: four.csv:2: label 3 (field 3) is not a class index 0..2\n", four.err);
}

BOOST_AUTO_TEST_CASE(defaults_keep_the_notes_run_and_record_it) {
  Scratch s;
  const Result r = s.run({"train", "--iterations", "3", "--print-every", "0", "--json", "r.json"});
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  BOOST_TEST(contains(r.out, "\ntraining: 3 iterations at learning rate 0.01\n"), r.out);
  const Json settings = Json::parse(file_text(s.work / "r.json"))["settings"];
  BOOST_TEST(settings["activations"] == Json::parse(R"(["relu", "relu", "sigmoid"])"));
  BOOST_TEST(settings["loss"] == "sigmoid_cross_entropy");
  BOOST_TEST(settings["optimizer_kind"] == "gd");
  BOOST_TEST(settings["costs_per"] == "iteration");
  BOOST_TEST(settings["decay_rate"].get<double>() == 0.0);
  BOOST_TEST(!settings.contains("layers_flag"));
}

BOOST_AUTO_TEST_CASE(momentum_decay_leaky_slope_input_dropout_and_mse_are_recorded) {
  Scratch s;
  const Result r = s.run({"train", "--layers", "6:leaky_relu=0.05,4:tanh,1", "--optimizer", "momentum", "--beta",
                          "0.8", "--decay-rate", "1", "--decay-interval", "100", "--input-keep-prob", "0.9",
                          "--iterations", "200", "--lr", "0.05", "--print-every", "0", "--json", "m.json"});
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  const Json settings = Json::parse(file_text(s.work / "m.json"))["settings"];
  BOOST_TEST(settings["activations"] == Json::parse(R"(["leaky_relu", "tanh", "sigmoid"])"));
  BOOST_TEST(settings["layers_flag"] == "6:leaky_relu=0.05,4:tanh,1");
  BOOST_TEST(settings["optimizer_kind"] == "momentum");
  BOOST_TEST(settings["beta"].get<double>() == 0.8);
  BOOST_TEST(settings["decay_rate"].get<double>() == 1.0);
  BOOST_TEST(settings["decay_interval"] == 100);
  BOOST_TEST(settings["input_keep_prob"].get<double>() == 0.9);
  BOOST_TEST(contains(r.out, "decay 1 every 100 iterations"), r.out);

  // Mean squared error on any finite targets, 1 output (identity unless given).
  {
    std::ofstream csv(s.work / "targets.csv");
    for (int i = 0; i < 20; ++i) csv << i * 0.1 << ',' << (i % 4) * 0.5 << ',' << 0.3 * i - 1.25 << '\n';
  }
  const Result mse = s.run({"train", "--data", "targets.csv", "--layers", "5:tanh,1", "--loss", "mse", "--iterations",
                            "50", "--json", "e.json"});
  BOOST_TEST_REQUIRE(mse.status == 0, describe(mse));
  BOOST_TEST(contains(mse.out, "(mean squared error: no accuracy)"), mse.out);
  const Json e = Json::parse(file_text(s.work / "e.json"));
  BOOST_TEST(e["settings"]["activations"] == Json::parse(R"(["tanh", "identity"])"));
  BOOST_TEST(!e.contains("train_accuracy"));
  BOOST_TEST(e["train_predictions"][0].size() == 20u);
}

BOOST_AUTO_TEST_CASE(gradcheck_checks_the_new_models_and_writes_its_report) {
  Scratch s;
  write_three_classes(s.work / "three.csv", 30);
  const Result r = s.run({"gradcheck", "--data", "three.csv", "--layers", "6:leaky_relu=0.05,4:tanh,3", "--loss",
                          "softmax", "--input-keep-prob", "0.9", "--keep-prob", "0.8", "--json", "g.json"});
  BOOST_TEST(r.status == 0, describe(r));
  BOOST_TEST(contains(r.out, "check_graph passed, check_nodes passed"), r.out);
  BOOST_TEST(contains(r.out, "leaky_relu1"), "the leaky ReLU node is checked");
  const Json j = Json::parse(file_text(s.work / "g.json"));
  BOOST_TEST(j["settings"]["loss"] == "softmax_cross_entropy");
  BOOST_TEST(j["settings"]["examples"] == 30);
  BOOST_TEST_REQUIRE(j["checks"].size() == 2u);
  BOOST_TEST(j["checks"][0]["name"] == "check_graph");
  BOOST_TEST(j["checks"][0]["passed"] == true);
  BOOST_TEST(j["checks"][0]["blocks"].size() == 6u);  // fc1..fc3, W and b
  BOOST_TEST(j["checks"][1]["name"] == "check_nodes");
  BOOST_TEST(j["checks"][1]["passed"] == true);

  const Result mse = s.run({"gradcheck", "--dataset", "circles", "--samples", "30", "--layers", "5:sigmoid,1:tanh",
                            "--loss", "mse", "--lambd", "0.3"});
  BOOST_TEST(mse.status == 0, describe(mse));
  BOOST_TEST(contains(mse.out, "tanh2"), "the output node of mean squared error is checked");
}

// ---- outputs never destroy anything (issue 14) ----

namespace {

// Runs `prefix xgrad args...` in `s.work` through the shell with stdout to `stdout_target`;
// the exit status, 128 + N when killed by signal N.
Result run_shell(const Scratch& s, const std::string& prefix, const std::vector<std::string>& args,
                 const std::string& stdout_target) {
  // Appended word by word: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
  std::string command = "cd ";
  for (const std::string& part : {shell_quoted(s.work.string()), std::string(" && "), prefix, std::string(" "),
                                  shell_quoted(std::getenv("XGRAD_CLI"))}) {
    command += part;
  }
  for (const std::string& a : args) {
    command += ' ';
    command += shell_quoted(a);
  }
  for (const std::string& part : {std::string(" > "), stdout_target, std::string(" 2> "),
                                  shell_quoted((s.root / "stderr").string())}) {
    command += part;
  }
  const int raw = std::system(command.c_str());
  Result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.err = file_text(s.root / "stderr");
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_link_or_a_fifo_given_as_an_output_is_refused_before_training) {
  Scratch s;
  std::ofstream(s.root / "target.json") << "keep";
  fs::create_symlink(s.root / "target.json", s.work / "link.json");
  fs::create_symlink(s.root / "target.json", s.work / "link.npz");
  BOOST_TEST_REQUIRE(::mkfifo((s.work / "fifo").c_str(), 0600) == 0);
  for (const std::vector<std::string>& args : {std::vector<std::string>{"train", "--json", "link.json"},
                                               {"train", "--save", "link.npz"},
                                               {"train", "--json", "fifo"},
                                               {"experiments", "--json", "fifo"}}) {
    const Result r = s.run(args);
    BOOST_TEST(r.status == 2, args[2] << ": " << describe(r));
    BOOST_TEST(lines_of(r.err).size() == 1u, r.err);
    BOOST_TEST((contains(r.err, "symbolic link") || contains(r.err, "FIFO")), r.err);
    BOOST_TEST(!contains(r.out, "Cost after"), "the run should not start");
  }
  BOOST_TEST(fs::is_symlink(fs::symlink_status(s.work / "link.json")));
  BOOST_TEST(file_text(s.root / "target.json") == "keep");
  BOOST_TEST(fs::is_symlink(fs::symlink_status(s.work / "link.npz")));
  BOOST_TEST(fs::is_fifo(s.work / "fifo"));
  BOOST_TEST(s.work_files().size() == 3u);
}

BOOST_AUTO_TEST_CASE(outputs_that_collide_are_refused_before_any_work) {
  Scratch s;
  fs::create_directory(s.work / "out");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"train", "--json", "r.npz", "--save", "r.npz"},
        {"train", "--json", "r.npz", "--save", "r"},
        {"train", "--json", "r", "--plots", "r"},
        {"train", "--json", "out/r.json", "--plots", "out/r.json/"},
        {"experiments", "--json", "r", "--out", "r"}}) {
    const Result r = s.run(args);
    BOOST_TEST(r.status == 2, describe(r));
    BOOST_TEST(lines_of(r.err).size() == 1u, r.err);
    BOOST_TEST((contains(r.err, "name the same") || contains(r.err, "inside")), r.err);
    BOOST_TEST(r.out.empty(), r.out);
    BOOST_TEST(s.work_files().size() == 1u, "files were written");
  }
  // Distinct outputs in one folder are fine.
  const Result ok = s.run({"train", "--iterations", "10", "--json", "out/r.json", "--plots", "out"});
  BOOST_TEST(ok.status == 0, describe(ok));
}

BOOST_AUTO_TEST_CASE(a_legal_long_name_and_a_latin1_name_are_written) {
  Scratch s;
  const std::string long_name = std::string(240, 'r') + ".json";  // 245 bytes
  const Result r = s.run({"train", "--iterations", "10", "--json", long_name});
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  BOOST_TEST(Json::parse(file_text(s.work / long_name))["settings"]["iterations"] == 10);

  // A data file whose name is Latin-1 ("daten\xe9.csv"): the report still is valid JSON.
  const std::string latin1 = "daten\xe9.csv";
  {
    std::ofstream csv(s.work / latin1);
    for (int k = 0; k < 8; ++k) csv << k << ',' << (k * 7) % 5 << ',' << k % 2 << '\n';
  }
  const Result named = s.run({"train", "--data", latin1, "--iterations", "10", "--json", "latin1.json"});
  BOOST_TEST_REQUIRE(named.status == 0, describe(named));
  const Json report = Json::parse(file_text(s.work / "latin1.json"));
  BOOST_TEST(contains(report["settings"]["data"].get<std::string>(), "daten\xef\xbf\xbd.csv"),
             report["settings"]["data"].get<std::string>());
}

BOOST_AUTO_TEST_CASE(experiments_on_a_latin1_data_name_write_their_report, *needs_shared("data/football.mat")) {
  Scratch s;
  const std::string latin1 = "fu\xdf" "ball.mat";  // "fußball.mat" in Latin-1
  fs::copy_file(*football(), s.work / latin1);
  const Result r = s.run({"experiments", "--quick", "--only", "init_he", "--data", latin1, "--json", "e.json"});
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  const Json report = Json::parse(file_text(s.work / "e.json"));
  BOOST_TEST(contains(report["football"].get<std::string>(), "fu\xef\xbf\xbd" "ball.mat"),
             report["football"].get<std::string>());
}

BOOST_AUTO_TEST_CASE(a_folder_save_is_all_or_nothing) {
  Scratch s;
  fs::create_directories(s.work / "p" / "fc2.W.npy");  // a folder where a parameter file goes
  std::ofstream(s.work / "p" / "fc1.W.npy") << "old";
  const Result r = s.run({"train", "--iterations", "10", "--save", "p/"});
  BOOST_TEST(r.status == 2, describe(r));
  BOOST_TEST(contains(r.err, "fc2.W.npy"), r.err);
  BOOST_TEST(!contains(r.out, "Cost after"), "checked only after training: " << r.out);
  BOOST_TEST(file_text(s.work / "p" / "fc1.W.npy") == "old");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(s.work / "p")) names.push_back(e.path().filename().string());
  BOOST_TEST(names.size() == 2u, "temporary or new files left in p/");
}

BOOST_AUTO_TEST_CASE(a_file_size_limit_is_reported_with_status_1) {
  Scratch s;
  std::ofstream(s.work / "r.json") << "old";
  const Result r = run_shell(s, "ulimit -f 1 &&", {"train", "--iterations", "10", "--json", "r.json"}, "/dev/null");
  BOOST_TEST(r.status == 1, "status " << r.status << ": " << r.err);
  BOOST_TEST(contains(r.err, "r.json: cannot write: File too large"), r.err);
  BOOST_TEST(file_text(s.work / "r.json") == "old");
  BOOST_TEST(s.work_files().size() == 1u, "temporary files left");
}

BOOST_AUTO_TEST_CASE(a_failed_save_leaves_no_saved_line_on_stdout) {
  // The "saved the parameters to" line is printed only once the file is there.
  Scratch s;
  const Result r = s.run({"train", "--layers", "300,1", "--iterations", "10", "--save", "p.npz"}, "ulimit -f 4 &&");
  BOOST_TEST(r.status == 1, describe(r));
  BOOST_TEST(contains(r.err, "p.npz: cannot write: File too large"), r.err);
  BOOST_TEST(!contains(r.out, "saved the parameters"), r.out);
  BOOST_TEST(contains(r.out, "train accuracy"), r.out);
  BOOST_TEST(s.work_files().empty(), "files left behind");
}

BOOST_AUTO_TEST_CASE(a_failing_gnuplot_is_an_error_and_leaves_no_png) {
  // A stand-in gnuplot that starts a PNG and fails, as a broken installation would.
  Scratch s;
  const fs::path bin = s.root / "bin";
  fs::create_directory(bin);
  std::ofstream(bin / "gnuplot") << "#!/bin/sh\n: > train_cost.png\necho 'gnuplot: cannot open font' >&2\nexit 1\n";
  fs::permissions(bin / "gnuplot", fs::perms::owner_all);
  const Result r = s.run({"train", "--iterations", "10", "--plots", "p"}, "PATH=" + shell_quoted(bin.string()) + ":\"$PATH\"");
  BOOST_TEST(r.status == 1, describe(r));
  BOOST_TEST(r.err.starts_with("xgrad: error: --plots: gnuplot failed on p/train.gp: exit status 1: gnuplot: cannot "
                               "open font"),
             r.err);
  BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, r.err);
  BOOST_TEST(!contains(r.out, "gnuplot failed"), r.out);
  BOOST_TEST(!fs::exists(s.work / "p" / "train_cost.png"), "the failed run's PNG was left");
  BOOST_TEST(fs::exists(s.work / "p" / "train.gp"));
}

BOOST_AUTO_TEST_CASE(a_lone_double_dash_is_refused) {
  Scratch s;
  for (const std::vector<std::string>& args : {std::vector<std::string>{"train", "--"},
                                               std::vector<std::string>{"train", "--", "--lr", "0.1"},
                                               std::vector<std::string>{"--", "train"}}) {
    const Result r = s.run(args);
    BOOST_TEST(r.status == 2, describe(r));
    BOOST_TEST(contains(r.err, "unexpected argument '--'"), r.err);
    BOOST_TEST(r.out.empty(), r.out);
  }
}

BOOST_AUTO_TEST_CASE(control_bytes_and_long_values_reach_stderr_escaped_and_short) {
  Scratch s;
  const Result esc = s.run({"train", "--init", "he\x1b[31mred"});
  BOOST_TEST(esc.status == 2, describe(esc));
  BOOST_TEST(!contains(esc.err, "\x1b"), esc.err);
  BOOST_TEST(contains(esc.err, "he\\x1b[31mred"), esc.err);
  std::string layers = "1";
  for (int k = 1; k < 65000; ++k) layers += ",1";
  layers += ",x";
  const Result longer = s.run({"train", "--layers", layers});
  BOOST_TEST(longer.status == 2, describe(longer));
  BOOST_TEST(longer.err.size() < 2200u, longer.err.size());
  BOOST_TEST(contains(longer.err, "layer 65001 of '1,1,1"), longer.err);
  BOOST_TEST(contains(longer.err, "(65001 entries)"), longer.err);
}

BOOST_AUTO_TEST_CASE(standard_output_that_cannot_be_written_is_an_error) {
  Scratch s;
  const Result r = run_shell(s, "", {"train", "--iterations", "10"}, "/dev/full");
  BOOST_TEST(r.status == 1, "status " << r.status << ": " << r.err);
  BOOST_TEST(contains(r.err, "xgrad: error: cannot write to standard output"), r.err);
  BOOST_TEST(lines_of(r.err).size() == 1u, r.err);
}

BOOST_AUTO_TEST_CASE(a_signal_during_a_save_leaves_no_temporary_file) {
  Scratch s;
  std::ofstream(s.work / "big.npz") << "old";
  const char* cli = std::getenv("XGRAD_CLI");
  const pid_t child = ::fork();
  BOOST_TEST_REQUIRE(child >= 0);
  if (child == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    if (null < 0 || ::chdir(s.work.c_str()) != 0) ::_exit(127);
    ::dup2(null, 1);
    ::dup2(null, 2);
    // 4000 x 4000 weights: a 128 MB archive, written long enough to be caught midway.
    ::execl(cli, cli, "train", "--layers", "4000,4000,1", "--iterations", "1", "--print-every", "0", "--save", "big.npz",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  bool seen = false;
  for (int poll = 0; poll < 600000 && !seen; ++poll) {  // up to about 60 s
    for (const auto& e : fs::directory_iterator(s.work)) seen = seen || e.path().filename().string().starts_with(".big.npz.tmp-");
    if (!seen) ::usleep(100);
  }
  ::kill(child, SIGTERM);
  int raw = 0;
  ::waitpid(child, &raw, 0);
  BOOST_TEST_REQUIRE(seen, "the save's temporary file never appeared");
  BOOST_TEST(WIFSIGNALED(raw));
  BOOST_TEST((WIFSIGNALED(raw) && WTERMSIG(raw) == SIGTERM));
  BOOST_TEST(file_text(s.work / "big.npz") == "old");
  BOOST_TEST(s.work_files().size() == 1u, "temporary files left");
}

BOOST_AUTO_TEST_CASE(no_hang_under_an_address_space_limit) {
#if defined(__SANITIZE_ADDRESS__)
  return;  // AddressSanitizer needs terabytes of address space: it cannot run under ulimit -v
#endif
  // What fits under a given limit depends on the machine (the program's size, the BLAS
  // kernel, whether it needs its 128 MiB work buffer, the thread count), so no limit is
  // asserted to succeed. What holds everywhere: the run ends (OpenBLAS 0.3.21 would retry the
  // buffer forever) with either success or one clear error naming the limit, exit status 2,
  // and nothing printed before it is lost. `timeout 120` only stops a hang: a run takes
  // seconds.
  Scratch s;
  std::size_t succeeded = 0, refused = 0;
  for (const char* kb : {"90000", "100000", "120000", "150000", "200000", "400000"}) {
    const std::string limit = std::string("ulimit -v ") + kb + " && timeout 120";
    const Result r = s.run({"train", "--iterations", "2000", "--print-every", "1000"}, limit);
    const std::string what = std::string("at ulimit -v ") + kb + ": " + describe(r);
    BOOST_TEST((r.status == 0 || r.status == 2), what);
    if (r.status == 0) {
      ++succeeded;
      BOOST_TEST(contains(r.out, "train accuracy"), what);
      BOOST_TEST(r.err.empty(), what);
    } else if (r.status == 2) {
      ++refused;
      BOOST_TEST(r.err.starts_with("xgrad: error: "), what);
      BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, what);
      // Either the BLAS buffer or the program's own memory, each named with the limit.
      BOOST_TEST((contains(r.err, "ulimit -v") || contains(r.err, "out of memory")), what);
      if (contains(r.err, "BLAS cannot get its work buffer")) {
        BOOST_TEST(contains(r.err, std::string("limit of ") + kb + " KB (ulimit -v)"), what);
        BOOST_TEST(contains(r.err, "Raise the limit to at least"), what);
        // What was printed before the error reached stdout: the run's description.
        BOOST_TEST(contains(r.out, "model: "), what);
      }
    }
  }
  BOOST_TEST(succeeded + refused == 6u);
  // Without any limit the same run succeeds, so a refusal above is the limit's doing.
  const Result free = s.run({"train", "--iterations", "2000", "--print-every", "1000"});
  BOOST_TEST(free.status == 0, describe(free));
}

BOOST_AUTO_TEST_CASE(help_needs_no_blas_buffer) {
#if defined(__SANITIZE_ADDRESS__)
  return;  // see above
#endif
  // --help and --version make no BLAS call: they work under a limit far below BLAS's buffer
  // (but above what the dynamic loader needs to map the program and its libraries, about 70
  // MB on Debian 12; below that the loader itself refuses, before xgrad runs).
  Scratch s;
  const Result help = s.run({"--help"}, "ulimit -v 90000 && timeout 120");
  BOOST_TEST(help.status == 0, describe(help));
  BOOST_TEST(contains(help.out, "Commands:"), describe(help));
}

BOOST_AUTO_TEST_CASE(a_model_of_65000_layers_builds_in_linear_time) {
  // Quadratic building took over 60 s of CPU; linear building takes under 2 s (and a few
  // times that under the sanitizers). A CPU-time limit, unlike a timeout, does not depend on
  // the machine's load; it is generous and only catches the quadratic case. The first-step
  // check (linear too, but about 0.25 ms for each of the 130 000 nodes, several times that
  // under the sanitizers) is not what this measures: it is switched off.
  Scratch s;
  std::string layers = "1";
  for (int k = 1; k < 65000; ++k) layers += ",1";
  const Result r = s.run({"train", "--layers", layers, "--iterations", "1", "--print-every", "0",
                          "--no-first-step-check"},
                         "ulimit -t 40 &&");
  BOOST_TEST(r.status == 0, describe(r));
}

BOOST_AUTO_TEST_CASE(no_first_step_check_changes_no_bits) {
  // The check pins the random streams and touches no parameter: dropout and mini-batches
  // give the same costs and parameters with and without it.
  Scratch s;
  const std::vector<std::string> run = {"train", "--layers", "20,3,1", "--keep-prob", "0.86", "--lambd", "0.7",
                                        "--mini-batch-size", "64", "--epochs", "20", "--print-every", "5",
                                        "--optimizer", "adam", "--lr", "0.007"};
  auto with = [&](const std::string& name, bool check) {
    std::vector<std::string> args = run;
    args.insert(args.end(), {"--save", name});
    if (!check) args.push_back("--no-first-step-check");
    return s.run(args);
  };
  const Result checked = with("checked.npz", true), unchecked = with("unchecked.npz", false);
  BOOST_TEST(checked.status == 0, describe(checked));
  BOOST_TEST(unchecked.status == 0, describe(unchecked));
  auto costs = [](const std::string& out) {
    std::string lines;
    for (const std::string& l : lines_of(out)) {
      if (contains(l, "Cost after")) lines += l + "\n";
    }
    return lines;
  };
  BOOST_TEST(!costs(checked.out).empty(), checked.out);
  BOOST_TEST(costs(checked.out) == costs(unchecked.out));
  BOOST_TEST(file_text(s.work / "checked.npz") == file_text(s.work / "unchecked.npz"));
}

BOOST_AUTO_TEST_CASE(plots_of_features_too_large_for_the_grid_step_do_not_fail_after_the_run) {
  // x +- 1 rounds back to x at 1e17: the notes' grid span is empty, and gnuplot cannot draw a
  // one-point image ("Can't plot with an empty x range"): the boundary is left out and said
  // so; the cost curve is drawn.
  Scratch s;
  std::ofstream(s.work / "big.csv") << "1e17,1e17,0\n1e17,1e17,1\n1e17,1e17,0\n1e17,1e17,1\n";
  const Result r = s.run({"train", "--data", "big.csv", "--iterations", "10", "--plots", "p", "--json", "r.json"});
  BOOST_TEST(r.status == 0, describe(r));
  BOOST_TEST(r.err.empty(), r.err);
  BOOST_TEST(contains(r.out, "plots: no decision boundary: the features' range is too narrow"), r.out);
  BOOST_TEST(fs::exists(s.work / "p" / "train_cost.png"));
  BOOST_TEST(!fs::exists(s.work / "p" / "train_boundary.png"));
}

// --- Training runs: checkpoints, resuming in another process, validation, predict, evaluate ---

namespace {

// The entries NAME of an .npz whose name starts with `prefix`, in order.
std::vector<std::pair<std::string, Matrix>> entries(const fs::path& file, const std::string& prefix) {
  std::vector<std::pair<std::string, Matrix>> out;
  for (auto& [name, array] : xgrad::load_npz(file)) {
    if (name.rfind(prefix, 0) == 0) out.emplace_back(name, array);
  }
  return out;
}

bool same_bits(const std::vector<std::pair<std::string, Matrix>>& a, const std::vector<std::pair<std::string, Matrix>>& b) {
  if (a.size() != b.size() || a.empty()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].first != b[i].first || a[i].second.shape() != b[i].second.shape()) return false;
    if (std::memcmp(a[i].second.data(), b[i].second.data(), a[i].second.size() * sizeof(double)) != 0) return false;
  }
  return true;
}

}  // namespace

// 40 epochs in one process; 20, a checkpoint, then 20 more in a second process: the same bits
// (parameters, optimizer state) for gradient descent, momentum and Adam, with a schedule and
// with mini-batches and dropout.
BOOST_AUTO_TEST_CASE(resuming_in_another_process_gives_the_bits_of_one_run) {
  Scratch s;
  const std::vector<std::vector<std::string>> runs = {
      {"--optimizer", "adam", "--mini-batch-size", "64", "--shuffle-seed", "5", "--schedule", "step:0.5:7",
       "--keep-prob", "0.9"},
      {"--optimizer", "momentum", "--mini-batch-size", "50", "--decay-rate", "0.1"},
      {"--schedule", "cosine:30:0.1", "--lambd", "0.1"},
  };
  for (const auto& flags : runs) {
    const bool mini = std::find(flags.begin(), flags.end(), "--mini-batch-size") != flags.end();
    auto command = [&](const std::string& count, std::vector<std::string> extra) {
      std::vector<std::string> args{"train", "--dataset", "circles", "--samples", "300", "--layers", "8,4,1",
                                    "--lr", "0.05", "--print-every", "0", mini ? "--epochs" : "--iterations", count};
      args.insert(args.end(), flags.begin(), flags.end());
      args.insert(args.end(), extra.begin(), extra.end());
      return args;
    };
    const Result whole = s.run(command("40", {"--checkpoint", "whole.npz"}));
    BOOST_TEST_REQUIRE(whole.status == 0, describe(whole));
    const Result first = s.run(command("20", {"--checkpoint", "half.npz", "--checkpoint-every", "5"}));
    BOOST_TEST_REQUIRE(first.status == 0, describe(first));
    const Result second = s.run(command("20", {"--resume", "half.npz", "--checkpoint", "end.npz", "--json", "r.json"}));
    BOOST_TEST_REQUIRE(second.status == 0, describe(second));
    BOOST_TEST(contains(second.out, "resumed from half.npz after 20 "), second.out);
    BOOST_TEST(same_bits(entries(s.work / "whole.npz", "parameter."), entries(s.work / "end.npz", "parameter.")));
    const auto optimizer = entries(s.work / "whole.npz", "optimizer.");
    if (!optimizer.empty()) BOOST_TEST(same_bits(optimizer, entries(s.work / "end.npz", "optimizer.")));
    const Json j = Json::parse(file_text(s.work / "r.json"));
    BOOST_TEST(j["epochs_run"] == 40);
    BOOST_TEST(j["stop_reason"] == "completed");
    // The flags must describe the saved run.
    std::vector<std::string> other = command("20", {"--resume", "half.npz"});
    other[6] = "8,5,1";
    const Result refused = s.run(other);
    BOOST_TEST(refused.status == 2);
    BOOST_TEST(contains(refused.err, "--resume half.npz: the checkpoint's model is 2-8-4-1"), refused.err);
    BOOST_TEST(contains(refused.err, "but the flags give 2-8-5-1"), refused.err);
  }
}

BOOST_AUTO_TEST_CASE(validation_and_early_stopping_are_printed_and_recorded) {
  Scratch s;
  const Result r = s.run({"train", "--dataset", "circles", "--samples", "600", "--layers", "8,4,1", "--optimizer",
                          "adam", "--lr", "0.3", "--mini-batch-size", "32", "--epochs", "300", "--print-every", "1",
                          "--validation-split", "0.25", "--early-stopping", "3:0.0001", "--restore-best", "--json",
                          "r.json"});
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  BOOST_TEST(contains(r.out, "validation: the last 0.25 of the training examples, every 1 epochs; early stopping after 3"),
             r.out);
  BOOST_TEST(contains(r.out, "Validation after epoch 0: cost "), r.out);
  BOOST_TEST(contains(r.out, "stopped early after epoch "), r.out);
  const Json j = Json::parse(file_text(s.work / "r.json"));
  BOOST_TEST(j["stop_reason"] == "early_stopping");
  const auto costs = j["validation_costs"].get<std::vector<double>>();
  BOOST_TEST_REQUIRE(costs.size() >= 4u);
  BOOST_TEST(j["validation_epochs"].size() == costs.size());
  BOOST_TEST(j["epochs_run"].get<std::size_t>() == costs.size());
  // The last three validations did not beat the best by more than 0.0001.
  const double best = j["best_validation_cost"].get<double>();
  for (std::size_t k = costs.size() - 3; k < costs.size(); ++k) BOOST_TEST(!(costs[k] < best - 0.0001));
}

// The library's rule: the loss's own activation on the output layer is folded into it (and
// softmax's is said), any other is refused.
BOOST_AUTO_TEST_CASE(the_losss_own_output_activation_is_folded_into_it) {
  Scratch s;
  const Result sigmoid = s.run({"train", "--layers", "4,1:sigmoid", "--iterations", "2"});
  BOOST_TEST(sigmoid.status == 0, describe(sigmoid));
  std::ofstream(s.work / "three.csv") << "0,0,0\n1,1,1\n2,2,2\n0,1,0\n1,2,1\n2,0,2\n";
  const Result softmax = s.run({"train", "--data", "three.csv", "--layers", "4,3:softmax", "--loss", "softmax",
                                "--iterations", "2"});
  BOOST_TEST(softmax.status == 0, describe(softmax));
  BOOST_TEST(contains(softmax.out, "with the output softmax folded into the loss"), softmax.out);
  const Result relu = s.run({"train", "--data", "three.csv", "--layers", "4,3:relu", "--loss", "softmax"});
  BOOST_TEST(relu.status == 2);
  BOOST_TEST(contains(relu.err, "--layers: the output layer's activation 'relu'"), relu.err);
}

BOOST_AUTO_TEST_CASE(predict_and_evaluate_use_a_checkpoints_model) {
  Scratch s;
  const Result trained = s.run({"train", "--dataset", "circles", "--samples", "300", "--layers", "8,1", "--iterations",
                                "300", "--lr", "0.5", "--print-every", "0", "--checkpoint", "model.npz"});
  BOOST_TEST_REQUIRE(trained.status == 0, describe(trained));
  Matrix X({2, 4});
  X(0, 0) = 0.0, X(1, 0) = 0.0, X(0, 1) = 1.2, X(1, 1) = 0.0, X(0, 2) = 0.1, X(1, 2) = -0.1, X(0, 3) = -1.1,
  X(1, 3) = 0.2;
  xgrad::save_npy(s.work / "x.npy", X);
  const Result printed = s.run({"predict", "--model", "model.npz", "--data", "x.npy"});
  BOOST_TEST_REQUIRE(printed.status == 0, describe(printed));
  const Result written = s.run({"predict", "--model", "model.npz", "--data", "x.npy", "--out", "p.npy", "--probabilities"});
  BOOST_TEST_REQUIRE(written.status == 0, describe(written));
  const Matrix p = xgrad::load_npy(s.work / "p.npy");
  BOOST_TEST(p.shape(0) == 1u);
  BOOST_TEST(p.shape(1) == 4u);
  std::string thresholded;
  for (std::size_t j = 0; j < 4; ++j) thresholded += p(0, j) > 0.5 ? "1.0\n" : "0.0\n";
  BOOST_TEST(printed.out == thresholded, printed.out);
  const Result evaluated = s.run({"evaluate", "--model", "model.npz", "--dataset", "circles", "--samples", "300"});
  BOOST_TEST_REQUIRE(evaluated.status == 0, describe(evaluated));
  BOOST_TEST(contains(evaluated.out, "training set: 300 examples, cost "), evaluated.out);
  BOOST_TEST(contains(evaluated.out, "test set: 100 examples, cost "), evaluated.out);
  BOOST_TEST(contains(evaluated.out, ", accuracy "), evaluated.out);
  const Result wrong = s.run({"predict", "--model", "model.npz", "--data", "p.npy"});
  BOOST_TEST(wrong.status == 2);
  BOOST_TEST(contains(wrong.err, "--data: p.npy holds 1x4 but the model takes 2 features"), wrong.err);
}
