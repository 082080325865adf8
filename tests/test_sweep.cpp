// xgrad sweep and xgrad report, run as a user runs them (XGRAD_CLI, set by meson test, is the
// program's path): exact expansion of grids, ranges and seeded draws; the course's experiments
// as one sweep; resuming; failed runs and damaged reports; the report's table, CSV, JSON and
// plots; GNU parallel (when installed) and the Slurm script run task by task.
#define BOOST_TEST_MODULE sweep
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_scratch.hpp"
#include "reference.hpp"
#include <xgrad/core/format.hpp>
#include <xgrad/numpy/random.hpp>
#include <xgrad/version.hpp>

namespace fs = std::filesystem;
using Json = nlohmann::json;
using xgrad::testing::needs_shared;

namespace {

using Result = xgrad::testing::CliResult;
using xgrad::testing::contains;
using xgrad::testing::describe;
using xgrad::testing::file_text;
using xgrad::testing::lines_of;
using xgrad::testing::run_shell;
using xgrad::testing::shell_quoted;

void write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
}

bool on_path(const std::string& program) { return run_shell("command -v " + program + " > /dev/null 2>&1") == 0; }

// A scratch folder per test (tests/support/cli_scratch.hpp).
struct Scratch : xgrad::testing::CliScratch {
  Scratch() : CliScratch("xgrad_sweep_") {}

  // Runs each line with /bin/sh in `work`, as GNU parallel would; returns the failures.
  int run_lines(const std::vector<std::string>& lines) const {
    int failures = 0;
    for (const std::string& line : lines) {
      if (run_shell("cd " + shell_quoted(work.string()) + " && " + line) != 0) ++failures;
    }
    return failures;
  }

  Json json(const fs::path& relative) const { return Json::parse(file_text(work / relative)); }
};

// The settings of a sweep's runs, in sweep.json's order.
std::vector<std::string> run_names(const Json& sweep) {
  std::vector<std::string> names;
  for (const Json& run : sweep["runs"]) names.push_back(run["name"].get<std::string>());
  return names;
}

std::vector<std::string> values_of(const Json& sweep, const std::string& flag) {
  std::vector<std::string> values;
  for (const Json& run : sweep["runs"]) values.push_back(run["settings"][flag].get<std::string>());
  return values;
}

// A tiny, fast training for sweeps whose numbers do not matter.
const std::vector<std::string> tiny = {"--", "--dataset", "circles", "--samples", "30", "--iterations", "20",
                                       "--print-every", "0", "--record-every", "5"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

BOOST_AUTO_TEST_CASE(help_and_missing_inputs) {
  Scratch s;
  const Result top = s.run({"--help"});
  BOOST_TEST(contains(top.out, "  sweep "), top.out);
  BOOST_TEST(contains(top.out, "  report "), top.out);
  const Result sweep = s.run({"sweep", "--help"});
  BOOST_TEST(sweep.status == 0, describe(sweep));
  for (const char* flag : {"--sweep", "--spec", "--seed", "--out", "--format", "--run", "--jobs", "--sbatch"}) {
    BOOST_TEST(contains(sweep.out, flag), flag);
  }
  const Result report = s.run({"report", "--help"});
  BOOST_TEST(report.status == 0, describe(report));
  for (const char* flag : {"--sort", "--descending", "--csv", "--json", "--plots", "--metric"}) {
    BOOST_TEST(contains(report.out, flag), flag);
  }
  const Result nothing = s.run({"report"});
  BOOST_TEST(nothing.status == 2, describe(nothing));
  BOOST_TEST(contains(nothing.err, "xgrad: error: give the runs to report"), nothing.err);
  const Result bad_csv = s.run({"report", "nowhere", "--csv", "/nonexistent/table.csv"});
  BOOST_TEST(bad_csv.status == 2, describe(bad_csv));
  BOOST_TEST(contains(bad_csv.err, "--csv: /nonexistent/table.csv: cannot write"), bad_csv.err);
  const Result no_out = s.run({"sweep", "--sweep", "lambd=0,1"});
  BOOST_TEST(no_out.status == 2, describe(no_out));
  BOOST_TEST(contains(no_out.err, "--out is required"), no_out.err);
}

BOOST_AUTO_TEST_CASE(a_grid_is_every_combination_last_flag_fastest) {
  Scratch s;
  const Result r = s.run(with({"sweep", "--sweep", "lambd=0,0.7", "--sweep", "keep-prob=1,0.86", "--out", "grid"}, tiny));
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  const std::vector<std::string> lines = lines_of(r.out);
  BOOST_TEST_REQUIRE(lines.size() == 4u, describe(r));
  const std::vector<std::string> expected = {"lambd=0_keep-prob=1", "lambd=0_keep-prob=0.86", "lambd=0.7_keep-prob=1",
                                             "lambd=0.7_keep-prob=0.86"};
  const Json sweep = s.json("grid/sweep.json");
  BOOST_TEST(run_names(sweep) == expected, boost::test_tools::per_element());
  BOOST_TEST(contains(lines[3], " train --dataset circles --samples 30 --iterations 20 --print-every 0 --record-every 5 "
                                "--lambd 0.7 --keep-prob 0.86 --json "),
             lines[3]);
  BOOST_TEST(contains(lines[3], (s.work / "grid/runs/lambd=0.7_keep-prob=0.86/report.json").string()), lines[3]);
  BOOST_TEST(contains(r.err, "4 runs in"), r.err);
  BOOST_TEST(contains(r.err, "0 finished (skipped), 4 to run"), r.err);
  // Each run folder says what it is.
  const Json run = s.json("grid/runs/lambd=0_keep-prob=0.86/run.json");
  BOOST_TEST(run["settings"]["keep-prob"] == "0.86");
  BOOST_TEST(run["settings"]["lambd"] == "0");
}

BOOST_AUTO_TEST_CASE(the_lines_carry_the_per_run_options) {
  Scratch s;
  const Result r = s.run(with({"sweep", "--sweep", "lambd=0,0.7", "--name", "reg", "--out", "o", "--threads-per-run",
                               "1", "--save-parameters", "--xgrad", "xgrad"},
                              tiny));
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  const std::vector<std::string> lines = lines_of(r.out);
  BOOST_TEST_REQUIRE(lines.size() == 2u);
  const std::string folder = (s.work / "o/runs/reg_lambd=0.7").string();
  BOOST_TEST(lines[1] == "xgrad --threads 1 train --dataset circles --samples 30 --iterations 20 --print-every 0 "
                         "--record-every 5 --lambd 0.7 --json " + folder + "/report.json --save " + folder +
                             "/parameters.npz > " + folder + "/train.log 2> " + folder + "/error.log");
  // Words the shell would split or expand are quoted.
  const Result quoted_values = s.run(with({"sweep", "--sweep", "layers=4:tanh,1;3 $HOME,1", "--out", "q"}, tiny));
  BOOST_TEST(quoted_values.status == 2, describe(quoted_values));
  BOOST_TEST(contains(quoted_values.err, "run layers=3--HOME-1: xgrad train refuses its flags: --layers"), quoted_values.err);
  const Result spaced = s.run(with({"sweep", "--sweep", "layers=4:tanh,1;3,1", "--out", "q"}, tiny));
  BOOST_TEST_REQUIRE(spaced.status == 0, describe(spaced));
  BOOST_TEST(contains(spaced.out, " --layers 4:tanh,1 --json "), spaced.out);
  BOOST_TEST(fs::is_directory(s.work / "q/runs/layers=4-tanh-1"));
  const Result file = s.run({"sweep", "--sweep", "data=my data.csv,it's.csv", "--out", "d"});
  BOOST_TEST_REQUIRE(file.status == 0, describe(file));
  BOOST_TEST(contains(file.out, " train --data 'my data.csv' --json "), file.out);
  BOOST_TEST(contains(file.out, " train --data 'it'\\''s.csv' --json "), file.out);
}

BOOST_AUTO_TEST_CASE(ranges_give_exact_values) {
  Scratch s;
  const Result r = s.run(with({"sweep", "--sweep", "lr=log:1e-3:1e-1:3", "--sweep", "lambd=lin:0:1:5", "--sweep",
                               "keep-prob=range:0.5:1:0.25", "--out", "r"},
                              tiny));
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  const Json sweep = s.json("r/sweep.json");
  BOOST_TEST_REQUIRE(sweep["runs"].size() == 45u);
  std::vector<std::string> lrs, lambdas, keeps;
  for (const Json& run : sweep["runs"]) {
    const std::string lr = run["settings"]["lr"], l = run["settings"]["lambd"], k = run["settings"]["keep-prob"];
    if (lrs.empty() || lrs.back() != lr) lrs.push_back(lr);
    if (lambdas.size() < 5 && (lambdas.empty() || lambdas.back() != l)) lambdas.push_back(l);
    if (keeps.size() < 3 && (keeps.empty() || keeps.back() != k)) keeps.push_back(k);
  }
  BOOST_TEST(lrs == (std::vector<std::string>{"0.001", "0.01", "0.1"}), boost::test_tools::per_element());
  BOOST_TEST(lambdas == (std::vector<std::string>{"0", "0.25", "0.5", "0.75", "1"}), boost::test_tools::per_element());
  BOOST_TEST(keeps == (std::vector<std::string>{"0.5", "0.75", "1"}), boost::test_tools::per_element());
  // The scale is recorded for the plots.
  BOOST_TEST(sweep["axes"][0]["flag"] == "lr");
  BOOST_TEST(sweep["axes"][0]["log_scale"] == true);
  BOOST_TEST(sweep["axes"][1]["log_scale"] == false);
  // Whole-number ranges stay whole (flags such as --iterations take digits only).
  const Result whole = s.run(with({"sweep", "--sweep", "init-seed=range:5:15:5", "--out", "w"}, tiny));
  BOOST_TEST_REQUIRE(whole.status == 0, describe(whole));
  BOOST_TEST(values_of(s.json("w/sweep.json"), "init-seed") == (std::vector<std::string>{"5", "10", "15"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(seeded_random_draws_are_numpys_and_reproducible) {
  Scratch s;
  auto draw = [&](const std::string& seed, const std::string& out) {
    const Result r = s.run(with({"sweep", "--seed", seed, "--sweep", "lr=randlog:1e-4:1e-1:5", "--sweep",
                                 "lambd=rand:0:2:5", "--sweep", "keep-prob=1,0.9", "--out", out},
                                tiny));
    BOOST_TEST_REQUIRE(r.status == 0, describe(r));
    return s.json(out + "/sweep.json");
  };
  const Json first = draw("7", "a"), again = draw("7", "b"), other = draw("8", "c");
  // Random axes are drawn together: 5 points, crossed with the 2 keep-probs.
  BOOST_TEST_REQUIRE(first["runs"].size() == 10u);
  BOOST_TEST(values_of(first, "lr") == values_of(again, "lr"), boost::test_tools::per_element());
  BOOST_TEST(values_of(first, "lambd") == values_of(again, "lambd"), boost::test_tools::per_element());
  BOOST_TEST(values_of(first, "lr") != values_of(other, "lr"));
  // numpy: rng = RandomState(7); lr = 10 ** rng.uniform(-4, -1, 5); lambd = rng.uniform(0, 2, 5)
  xgrad::RandomState rng(7);
  std::vector<std::string> lr, lambd;
  for (int i = 0; i < 5; ++i) lr.push_back(xgrad::format_double(std::pow(10.0, rng.uniform(std::log10(1e-4), std::log10(1e-1)))));
  for (int i = 0; i < 5; ++i) lambd.push_back(xgrad::format_double(rng.uniform(0.0, 2.0)));
  std::vector<std::string> drawn_lr, drawn_lambd;
  for (std::size_t i = 0; i < 10; i += 2) {  // keep-prob varies fastest
    drawn_lr.push_back(first["runs"][i]["settings"]["lr"]);
    drawn_lambd.push_back(first["runs"][i]["settings"]["lambd"]);
    BOOST_TEST(first["runs"][i + 1]["settings"]["lr"] == first["runs"][i]["settings"]["lr"]);
  }
  BOOST_TEST(drawn_lr == lr, boost::test_tools::per_element());
  BOOST_TEST(drawn_lambd == lambd, boost::test_tools::per_element());
  for (const std::string& v : lr) {
    const double x = std::stod(v);
    BOOST_TEST((x >= 1e-4 && x < 1e-1), v);
  }
}

BOOST_AUTO_TEST_CASE(bad_specs_are_refused_naming_the_flag_and_value) {
  Scratch s;
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  fs::create_directories(s.work);
  write_file(s.work / "unknown_key.json", R"({"sweep": {"lambd": [0, 1]}, "sweeep": {}})");
  write_file(s.work / "not_json.json", R"({"sweep": {"lambd": [0, 1]})");
  write_file(s.work / "bad_value.json", R"({"sweep": {"lambd": "log:0:1:3"}})");
  const std::vector<Case> cases = {
      {{"sweep", "--sweep", "lambd", "--out", "o"}, "--sweep 'lambd': expected FLAG=VALUES"},
      {{"sweep", "--sweep", "lr=log:0:1e-1:3", "--out", "o"}, "--sweep 'lr=log:0:1e-1:3': a log scale needs ends > 0"},
      {{"sweep", "--sweep", "lr=lin:1:2", "--out", "o"}, "expected lin:FROM:TO:COUNT"},
      {{"sweep", "--sweep", "lr=lin:1:2:x", "--out", "o"}, "the count is 'x'"},
      {{"sweep", "--sweep", "lambd=0,abc", "--out", "o"}, "run lambd=abc: xgrad train refuses its flags: --lambd"},
      {{"sweep", "--sweep", "lambd=0,abc", "--out", "o"}, "'abc'"},
      {{"sweep", "--sweep", "nosuch=1,2", "--out", "o"}, "--nosuch"},
      {{"sweep", "--sweep", "json=a,b", "--out", "o"}, "--json is set by xgrad sweep"},
      {{"sweep", "--sweep", "lambd=0,1", "--out", "o", "--", "--lambd", "2"}, "--lambd is given after '--' and swept"},
      {{"sweep", "--sweep", "lr=rand:0.1:1:3", "--sweep", "lambd=rand:0:1:4", "--out", "o"},
       "the random axes are drawn together and need the same count"},
      {{"sweep", "--out", "o"}, "give the sweep: --sweep FLAG=VALUES"},
      {{"sweep", "--spec", "unknown_key.json", "--out", "o"}, "unknown key \"sweeep\""},
      {{"sweep", "--spec", "not_json.json", "--out", "o"}, "--spec not_json.json: not valid JSON"},
      {{"sweep", "--spec", "bad_value.json", "--out", "o"}, "sweep.lambd: a log scale needs ends > 0"},
      {{"sweep", "--spec", "missing.json", "--out", "o"}, "--spec missing.json: cannot read the file"},
  };
  for (const Case& c : cases) {
    const Result r = s.run(c.args);
    BOOST_TEST(r.status == 2, describe(r));
    BOOST_TEST(contains(r.err, c.expected), "expected '" << c.expected << "' in: " << r.err);
    BOOST_TEST(lines_of(r.err).size() == 1u, r.err);
    BOOST_TEST(!fs::exists(s.work / "o"), "a refused sweep leaves no folder");
  }
}

// The course's eight runs (six in the notes, two beyond) as one sweep of three parts equal
// `xgrad experiments` number for number (both with a tenth of the iterations: --quick).
BOOST_AUTO_TEST_CASE(the_course_experiments_as_one_sweep_match_xgrad_experiments,
                     *needs_shared("data/football.mat")) {
  Scratch s;
  const std::string football = xgrad::testing::shared_file("data/football.mat")->string();
  using Ordered = nlohmann::ordered_json;  // the order of the flags names the runs
  const Ordered spec = {
      {"parts",
       Ordered::array({
           {{"fixed", {{"lr", 0.01}, {"iterations", 1500}}}, {"sweep", {{"init", {"zeros", "random", "he"}}}}},
           {{"fixed", {{"data", football}, {"layers", "20,3,1"}, {"init", "xavier"}, {"lr", 0.3}, {"iterations", 3000}}},
            {"sweep", {{"lambd", {0, 0.7}}, {"keep-prob", "1,0.86"}}}},
           {{"name", "fresh"},
            {"fixed",
             {{"data", football}, {"layers", "20,3,1"}, {"init", "xavier"}, {"lr", 0.3}, {"iterations", 3000},
              {"dropout-masks", "fresh"}}},
            {"sweep", {{"keep-prob", {0.86}}}}},
       })},
  };
  write_file(s.work / "course.json", spec.dump(2));
  const Result sweep = s.run({"sweep", "--spec", "course.json", "--out", "course"});
  BOOST_TEST_REQUIRE(sweep.status == 0, describe(sweep));
  BOOST_TEST_REQUIRE(lines_of(sweep.out).size() == 8u, describe(sweep));
  BOOST_TEST_REQUIRE(s.run_lines(lines_of(sweep.out)) == 0);
  const Result experiments = s.run({"experiments", "--quick", "--data", football, "--json", "experiments.json", "--out", "plots"});
  BOOST_TEST_REQUIRE(experiments.status == 0, describe(experiments));
  const Json expected = s.json("experiments.json")["experiments"];
  const std::vector<std::pair<std::string, std::string>> same = {
      {"init_zeros", "init=zeros"},
      {"init_random", "init=random"},
      {"init_he", "init=he"},
      {"reg_none", "lambd=0_keep-prob=1"},
      {"reg_l2", "lambd=0.7_keep-prob=1"},
      {"reg_dropout", "lambd=0_keep-prob=0.86"},
      {"reg_l2_dropout", "lambd=0.7_keep-prob=0.86"},
      {"reg_dropout_fresh", "fresh_keep-prob=0.86"},
  };
  for (const auto& [key, run] : same) {
    BOOST_TEST_CONTEXT(key << " and run " << run) {
      const Json report = s.json("course/runs/" + run + "/report.json");
      const Json& e = expected[key];
      for (const char* field : {"cost_iterations", "costs", "final_cost", "train_accuracy", "test_accuracy",
                                "train_predictions", "test_predictions"}) {
        BOOST_TEST(report[field] == e[field], field);
      }
      for (const char* setting : {"model", "init", "lambd", "keep_prob", "learning_rate", "iterations"}) {
        BOOST_TEST(report["settings"][setting] == e["settings"][setting], setting);
      }
      if (e["settings"]["keep_prob"] != 1) BOOST_TEST(report["settings"]["dropout_masks"] == e["settings"]["dropout_masks"]);
    }
  }
  // The report reads them all as finished.
  const Result table = s.run({"report", "course", "--json", "-"});
  BOOST_TEST_REQUIRE(table.status == 0, describe(table));
  const Json rows = Json::parse(table.out)["runs"];
  BOOST_TEST_REQUIRE(rows.size() == 8u);
  BOOST_TEST(rows[5]["run"] == "lambd=0.7_keep-prob=1");
  BOOST_TEST(rows[5]["final_cost"] == expected["reg_l2"]["final_cost"]);
  BOOST_TEST(rows[5]["test_accuracy"] == expected["reg_l2"]["test_accuracy"]);
}

BOOST_AUTO_TEST_CASE(a_restarted_sweep_skips_the_finished_runs) {
  Scratch s;
  const std::vector<std::string> args = with({"sweep", "--sweep", "lambd=0,0.1,0.2", "--out", "resume"}, tiny);
  const Result first = s.run(args);
  BOOST_TEST_REQUIRE(first.status == 0, describe(first));
  const std::vector<std::string> lines = lines_of(first.out);
  BOOST_TEST_REQUIRE(lines.size() == 3u);
  // The first run finished; the second was killed halfway (a log, no report); the third never started.
  BOOST_TEST_REQUIRE(s.run_lines({lines[0]}) == 0);
  write_file(s.work / "resume/runs/lambd=0.1/train.log", "Cost after iteration 0: 0.69\n");
  const fs::path finished = s.work / "resume/runs/lambd=0/report.json";
  const std::string report = file_text(finished);
  const auto written = fs::last_write_time(finished);

  const Result table = s.run({"report", "resume"});
  BOOST_TEST(table.status == 0, describe(table));
  BOOST_TEST(contains(table.out, "3 runs: 1 finished, 1 incomplete, 1 not run"), table.out);
  BOOST_TEST(contains(table.out, "incomplete lambd=0.1: no report yet"), table.out);

  const Result again = s.run(args);
  BOOST_TEST_REQUIRE(again.status == 0, describe(again));
  BOOST_TEST(lines_of(again.out) == (std::vector<std::string>{lines[1], lines[2]}), boost::test_tools::per_element());
  BOOST_TEST(contains(again.err, "3 runs in"), again.err);
  BOOST_TEST(contains(again.err, "1 finished (skipped), 2 to run"), again.err);
  BOOST_TEST_REQUIRE(s.run_lines(lines_of(again.out)) == 0);
  BOOST_TEST(file_text(finished) == report);
  BOOST_TEST((fs::last_write_time(finished) == written));
  const Result done = s.run(args);
  BOOST_TEST(done.status == 0, describe(done));
  BOOST_TEST(done.out.empty(), done.out);
  BOOST_TEST(contains(done.err, "3 finished (skipped), 0 to run"), done.err);

  // A grown sweep in the same folder keeps the finished runs and adds the new ones.
  const Result grown = s.run(with({"sweep", "--sweep", "lambd=0,0.1,0.2,0.3", "--out", "resume"}, tiny));
  BOOST_TEST_REQUIRE(grown.status == 0, describe(grown));
  BOOST_TEST(lines_of(grown.out).size() == 1u, describe(grown));
  // Other train flags in the same folder would mix results: refused.
  std::vector<std::string> changed = args;
  changed.back() = "7";  // --record-every
  const Result refused = s.run(changed);
  BOOST_TEST(refused.status == 2, describe(refused));
  BOOST_TEST(contains(refused.err, "run lambd=0 was set up before with other train flags"), refused.err);
}

BOOST_AUTO_TEST_CASE(failed_runs_and_damaged_reports_are_reported) {
  Scratch s;
  const Result sweep = s.run(with({"sweep", "--sweep", "lambd=0,0.1,0.2,0.3,0.4", "--out", "f"}, tiny));
  BOOST_TEST_REQUIRE(sweep.status == 0, describe(sweep));
  std::vector<std::string> lines = lines_of(sweep.out);
  BOOST_TEST_REQUIRE(lines.size() == 5u);
  // Run lambd=0 fails: its data file is not there.
  const std::string flag = "--dataset circles --samples 30";
  lines[0].replace(lines[0].find(flag), flag.size(), "--data missing.csv");
  BOOST_TEST(s.run_lines(lines) == 1);
  // lambd=0.1: cut short; lambd=0.2: a field missing, from another version; lambd=0.3: a
  // field of the wrong type; lambd=0.4: fine.
  const fs::path runs = s.work / "f/runs";
  const std::string whole = file_text(runs / "lambd=0.1/report.json");
  write_file(runs / "lambd=0.1/report.json", whole.substr(0, whole.size() / 2));
  Json old = s.json("f/runs/lambd=0.2/report.json");
  old.erase("final_cost");
  old["settings"]["xgrad_version"] = "0.0.1";
  write_file(runs / "lambd=0.2/report.json", old.dump());
  Json typed = s.json("f/runs/lambd=0.3/report.json");
  typed["train_accuracy"] = "high";
  write_file(runs / "lambd=0.3/report.json", typed.dump());

  const Result r = s.run({"report", "f"});
  BOOST_TEST(r.status == 1, describe(r));
  BOOST_TEST(contains(r.out, "5 runs: 1 finished, 1 failed, 3 damaged"), r.out);
  BOOST_TEST(contains(r.out, "failed lambd=0: --data: missing.csv"), r.out);
  BOOST_TEST(contains(r.out, "damaged lambd=0.1: report.json: not valid JSON"), r.out);
  BOOST_TEST(contains(r.out, std::string("damaged lambd=0.2: report.json: no \"final_cost\" (written by xgrad 0.0.1; this is xgrad ") +
                                 xgrad::version() + ")"),
             r.out);
  BOOST_TEST(contains(r.out, "damaged lambd=0.3: report.json: \"train_accuracy\" is string, expected a number"), r.out);
  // The rows: the failed one says so.
  const Result j = s.run({"report", "f", "--json", "-"});
  const Json rows = Json::parse(j.out)["runs"];
  BOOST_TEST(rows[0]["status"] == "failed");
  BOOST_TEST(rows[0]["final_cost"].is_null());
  BOOST_TEST(rows[4]["status"] == "finished");
  BOOST_TEST(rows[4]["final_cost"].is_number());
  // A report file that is not a report at all, given directly.
  write_file(s.work / "list.json", "[1, 2]");
  const Result list = s.run({"report", "list.json"});
  BOOST_TEST(list.status == 1, describe(list));
  BOOST_TEST(contains(list.out, "damaged list: list.json: a JSON array, not a report"), list.out);
  // Inputs that are no runs at all are refused.
  fs::create_directory(s.work / "empty");
  const Result empty = s.run({"report", "empty"});
  BOOST_TEST(empty.status == 2, describe(empty));
  BOOST_TEST(contains(empty.err, "empty: no runs in it"), empty.err);
  const Result missing = s.run({"report", "nowhere"});
  BOOST_TEST(missing.status == 2, describe(missing));
  BOOST_TEST(contains(missing.err, "nowhere: no such file or folder"), missing.err);
}

BOOST_AUTO_TEST_CASE(the_report_sorts_and_writes_csv_json_and_plots) {
  Scratch s;
  const Result sweep =
      s.run(with({"sweep", "--sweep", "lr=log:1e-3:1:4", "--sweep", "init=zeros,he", "--out", "t"}, tiny));
  BOOST_TEST_REQUIRE(sweep.status == 0, describe(sweep));
  BOOST_TEST_REQUIRE(s.run_lines(lines_of(sweep.out)) == 0);
  const Result table = s.run({"report", "t", "--sort", "final_cost", "--csv", "t.csv", "--json", "t.json", "--plots", "plots"});
  BOOST_TEST_REQUIRE(table.status == 0, describe(table));
  const std::vector<std::string> lines = lines_of(table.out);
  BOOST_TEST_REQUIRE(lines.size() > 9u);
  BOOST_TEST(contains(lines[0], "run"));
  for (const char* column : {"status", "lr", "init", "final_cost", "best_cost", "train_accuracy", "test_accuracy", "seconds"}) {
    BOOST_TEST(contains(lines[0], column), column);
  }
  BOOST_TEST(!contains(lines[0], "validation_accuracy"), "no run has a validation accuracy");
  const Json rows = s.json("t.json")["runs"];
  BOOST_TEST_REQUIRE(rows.size() == 8u);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    BOOST_TEST(rows[i - 1]["final_cost"].get<double>() <= rows[i]["final_cost"].get<double>());
  }
  // Every number as the run's report has it.
  for (const Json& row : rows) {
    const Json report = s.json("t/runs/" + row["run"].get<std::string>() + "/report.json");
    BOOST_TEST(row["final_cost"] == report["final_cost"]);
    BOOST_TEST(row["test_accuracy"] == report["test_accuracy"]);
    BOOST_TEST(std::stod(row["settings"]["lr"].get<std::string>()) == report["settings"]["learning_rate"].get<double>());
  }
  const std::vector<std::string> csv = lines_of(file_text(s.work / "t.csv"));
  BOOST_TEST_REQUIRE(csv.size() == 9u);
  BOOST_TEST(csv[0] == "run,status,lr,init,final_cost,best_cost,train_accuracy,test_accuracy,seconds,problem\r");
  BOOST_TEST(contains(csv[1], "," + xgrad::format_double(rows[0]["final_cost"].get<double>()) + ","), csv[1]);
  const Result descending = s.run({"report", "t", "--sort", "test_accuracy", "--descending", "--json", "-"});
  const Json down = Json::parse(descending.out)["runs"];
  for (std::size_t i = 1; i < down.size(); ++i) {
    BOOST_TEST(down[i - 1]["test_accuracy"].get<double>() >= down[i]["test_accuracy"].get<double>());
  }
  const Result by_setting = s.run({"report", "t", "--sort", "lr", "--json", "-"});
  BOOST_TEST(Json::parse(by_setting.out)["runs"][0]["settings"]["lr"] == "0.001");
  BOOST_TEST(Json::parse(by_setting.out)["runs"][7]["settings"]["lr"] == "1");
  const Result unknown = s.run({"report", "t", "--sort", "accuracy"});
  BOOST_TEST(unknown.status == 2, describe(unknown));
  BOOST_TEST(contains(unknown.err, "--sort: no column 'accuracy' (the columns: run, status, lr, init, final_cost"), unknown.err);
  // Plots: cost curves, and the metric against lr (a log axis) and init (labels).
  const std::string script = file_text(s.work / "plots/report.gp");
  BOOST_TEST(contains(script, "set output 'costs.png'"));
  BOOST_TEST(contains(script, "set output 'test_accuracy_vs_lr.png'\n"));
  BOOST_TEST(contains(script, "set logscale x"));
  BOOST_TEST(contains(script, "xtic(3)"));
  BOOST_TEST(contains(file_text(s.work / "plots/test_accuracy_vs_init.dat"), "\"he\""));
  if (on_path("gnuplot")) {
    for (const char* png : {"costs.png", "test_accuracy_vs_lr.png", "test_accuracy_vs_init.png"}) {
      BOOST_TEST(fs::file_size(s.work / "plots" / png) > 1000u, png);
    }
  } else {
    BOOST_TEST_MESSAGE("gnuplot not on PATH: the PNGs are not checked");
  }
}

// Report files given directly, from runs with and without validation data (issue 21's
// "validation_accuracies": the last one is shown).
BOOST_AUTO_TEST_CASE(the_report_reads_report_files_with_optional_fields) {
  Scratch s;
  const Result train = s.run({"train", "--dataset", "circles", "--samples", "30", "--iterations", "20", "--print-every",
                              "0", "--json", "plain.json"});
  BOOST_TEST_REQUIRE(train.status == 0, describe(train));
  Json validated = s.json("plain.json");
  validated["validation_accuracies"] = {0.5, nullptr, 0.75};
  write_file(s.work / "validated.json", validated.dump());
  const Result r = s.run({"report", "plain.json", "validated.json", "--json", "-"});
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  const Json table = Json::parse(r.out);
  BOOST_TEST(table["columns"].dump() ==
             R"(["run","status","final_cost","best_cost","train_accuracy","validation_accuracy","test_accuracy","seconds"])");
  BOOST_TEST(table["runs"][0]["run"] == "plain");
  // A run folder's report.json is named by its folder.
  fs::create_directory(s.work / "lr=0.1");
  fs::copy_file(s.work / "plain.json", s.work / "lr=0.1/report.json");
  const Result folder_file = s.run({"report", "lr=0.1/report.json", "--csv", "-"});
  BOOST_TEST(contains(folder_file.out, "\nlr=0.1,finished,"), folder_file.out);
  BOOST_TEST(table["runs"][0]["validation_accuracy"].is_null());
  BOOST_TEST(table["runs"][1]["run"] == "validated");
  BOOST_TEST(table["runs"][1]["validation_accuracy"] == 0.75);
  BOOST_TEST(table["runs"][1]["final_cost"] == validated["final_cost"]);
  // The best cost is the least recorded.
  double least = validated["final_cost"].get<double>();
  for (const Json& c : validated["costs"]) least = std::min(least, c.get<double>());
  BOOST_TEST(table["runs"][1]["best_cost"] == least);
  const Result plain_only = s.run({"report", "plain.json"});
  BOOST_TEST(!contains(plain_only.out, "validation_accuracy"), plain_only.out);
}

// 200 runs: the report reads them all (its speed is measured in the docs, not asserted).
BOOST_AUTO_TEST_CASE(the_report_reads_200_runs) {
  Scratch s;
  const Result sweep = s.run(with({"sweep", "--sweep", "lambd=range:0:199:1", "--out", "big"}, tiny));
  BOOST_TEST_REQUIRE(sweep.status == 0, describe(sweep));
  const std::vector<std::string> lines = lines_of(sweep.out);
  BOOST_TEST_REQUIRE(lines.size() == 200u);
  BOOST_TEST_REQUIRE(s.run_lines({lines[0]}) == 0);
  Json report = s.json("big/runs/lambd=0/report.json");
  for (int i = 1; i < 200; ++i) {
    report["final_cost"] = 1.0 / (i + 1);
    write_file(s.work / ("big/runs/lambd=" + std::to_string(i) + "/report.json"), report.dump());
  }
  const auto start = std::chrono::steady_clock::now();
  const Result table = s.run({"report", "big", "--sort", "final_cost", "--csv", "-"});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST_MESSAGE("xgrad report on 200 runs: " << seconds << " s");
  BOOST_TEST_REQUIRE(table.status == 0, describe(table));
  const std::vector<std::string> csv = lines_of(table.out);
  BOOST_TEST_REQUIRE(csv.size() == 201u);
  BOOST_TEST(contains(csv[1], "lambd=199,finished,199,0.005,"), csv[1]);
}

BOOST_AUTO_TEST_CASE(run_locally_through_gnu_parallel) {
  Scratch s;
  const std::vector<std::string> args =
      with({"sweep", "--sweep", "lambd=0,0.5", "--sweep", "keep-prob=1,0.9", "--out", "p", "--run", "--jobs", "2"}, tiny);
  // Without GNU parallel on PATH: a clear error, nothing run.
  const Result without = s.run(args, "PATH=/nonexistent");
  BOOST_TEST(without.status == 2, describe(without));
  BOOST_TEST(contains(without.err, "--run: GNU parallel is not installed (Debian package 'parallel')"), without.err);
  if (!on_path("parallel")) {
    BOOST_TEST_MESSAGE("GNU parallel is not installed (Debian package 'parallel'): xgrad sweep --run is not run");
    return;
  }
  const Result r = s.run(args);
  BOOST_TEST_REQUIRE(r.status == 0, describe(r));
  BOOST_TEST(contains(r.out, "ran 4 runs through GNU parallel: 4 finished, 0 failed"), r.out);
  for (const char* run : {"lambd=0_keep-prob=1", "lambd=0_keep-prob=0.9", "lambd=0.5_keep-prob=1", "lambd=0.5_keep-prob=0.9"}) {
    BOOST_TEST(fs::exists(s.work / "p/runs" / run / "report.json"), run);
  }
  BOOST_TEST(fs::exists(s.work / "p/parallel.log"));
  // Run again: nothing left to run.
  const Result again = s.run(args);
  BOOST_TEST(again.status == 0, describe(again));
  BOOST_TEST(contains(again.err, "4 finished (skipped), 0 to run"), again.err);
  // A run that fails: named with its error, exit status 1, the others finished.
  const Result failing = s.run(with({"sweep", "--sweep", "lr=0.01,1e308", "--out", "q", "--run"}, tiny));
  BOOST_TEST(failing.status == 1, describe(failing));
  BOOST_TEST(contains(failing.out, "failed: lr=1e308: iteration 1: node"), failing.out);
  BOOST_TEST(contains(failing.out, "ran 2 runs through GNU parallel: 1 finished, 1 failed"), failing.out);
  BOOST_TEST(fs::exists(s.work / "q/runs/lr=0.01/report.json"));
}

// The Slurm array script, run as Slurm runs it: each task with SLURM_ARRAY_TASK_ID set. Its
// runs equal those of the plain list.
BOOST_AUTO_TEST_CASE(the_slurm_script_runs_task_by_task) {
  Scratch s;
  const std::vector<std::string> spec = {"--sweep", "lambd=0,0.5,0.9"};
  const Result slurm = s.run(with(with({"sweep", "--format", "slurm", "--out", "slurm", "--jobs", "2", "--sbatch=--time=5"}, spec), tiny));
  BOOST_TEST_REQUIRE(slurm.status == 0, describe(slurm));
  BOOST_TEST(slurm.out == file_text(s.work / "slurm/slurm.sh"));
  BOOST_TEST(contains(slurm.out, "#SBATCH --array=0-2%2\n"), slurm.out);
  BOOST_TEST(contains(slurm.out, "#SBATCH --time=5\n"), slurm.out);
  BOOST_TEST(contains(slurm.out, "#SBATCH --chdir=" + s.work.string() + "\n"), slurm.out);
  BOOST_TEST(fs::is_directory(s.work / "slurm/slurm"));
  BOOST_TEST(run_shell("cd " + shell_quoted(s.work.string()) + " && SLURM_ARRAY_TASK_ID=1 bash slurm/slurm.sh") == 0);
  // Task 1 finished: a new script asks for the others only.
  const Result rest = s.run(with(with({"sweep", "--format", "slurm", "--out", "slurm"}, spec), tiny));
  BOOST_TEST(contains(rest.out, "#SBATCH --array=0,2\n"), rest.out);
  for (const char* task : {"0", "2"}) {
    BOOST_TEST(run_shell("cd " + shell_quoted(s.work.string()) + " && SLURM_ARRAY_TASK_ID=" + task + " bash slurm/slurm.sh") == 0);
  }
  BOOST_TEST(run_shell("cd " + shell_quoted(s.work.string()) + " && SLURM_ARRAY_TASK_ID=3 bash slurm/slurm.sh 2> /dev/null") == 2);
  BOOST_TEST(run_shell("cd " + shell_quoted(s.work.string()) + " && bash slurm/slurm.sh 2> /dev/null") != 0);
  // The same sweep as a plain list gives the same table, but for the time taken.
  const Result list = s.run(with(with({"sweep", "--out", "list"}, spec), tiny));
  BOOST_TEST_REQUIRE(s.run_lines(lines_of(list.out)) == 0);
  const Json a = Json::parse(s.run({"report", "slurm", "--json", "-"}).out)["runs"];
  const Json b = Json::parse(s.run({"report", "list", "--json", "-"}).out)["runs"];
  BOOST_TEST_REQUIRE(a.size() == 3u);
  BOOST_TEST_REQUIRE(b.size() == 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    Json x = a[i], y = b[i];
    x.erase("seconds");
    y.erase("seconds");
    BOOST_TEST(x == y, x.dump() << " vs " << y.dump());
  }
}
