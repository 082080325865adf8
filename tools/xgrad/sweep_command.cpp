// xgrad sweep: expands a sweep into one `xgrad train` command line per run, each writing into
// its own run folder (sweep_folder.hpp), and hands the lines to the engines people use: a
// plain list for GNU parallel, a Slurm array script, or GNU parallel run locally.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "commands.hpp"
#include "flag_checks.hpp"
#include "programs.hpp"
#include "output_file.hpp"
#include "sweep_folder.hpp"
#include "sweep_spec.hpp"
#include <xgrad/core/error.hpp>
#include <xgrad/version.hpp>
#include <xgrad/io/atomic_file.hpp>

namespace xgrad::cli {

namespace fs = std::filesystem;

namespace {

const char* const description =
    "Expands a sweep into one 'xgrad train' command line per run and hands them to GNU parallel or Slurm. "
    "Each run writes into its own folder OUT/runs/NAME, named by its settings: report.json (train --json), "
    "train.log, error.log. A run whose report is there already is skipped, so running the same sweep again "
    "resumes it. Train flags that every run shares go after '--'. VALUES: a,b,c; lin:A:B:N; log:A:B:N "
    "(log-spaced); range:A:B:STEP; rand:A:B:N and randlog:A:B:N (uniform draws, linear or log scale, from "
    "--seed; the random axes are drawn together). Then 'xgrad report OUT'. docs/sweeps.md has the --spec file.";

const char* const examples =
    "Examples:\n"
    "  xgrad sweep --sweep lambd=0,0.7 --sweep keep-prob=1,0.86 --out reg -- --data football.mat \\\n"
    "      --layers 20,3,1 | parallel -j 2\n"
    "  xgrad sweep --sweep lr=randlog:1e-4:1e-1:20 --seed 3 --out lr --run --jobs 2\n"
    "  xgrad sweep --spec sweep.json --out s --format slurm --sbatch=--time=30 | sbatch";

// Everything the flags set.
struct SweepSettings {
  std::vector<std::string> sweeps;
  std::string spec_file;
  std::string name;
  std::uint64_t seed = 0;
  std::string out;
  std::string format = "list";
  bool run = false;
  std::size_t jobs = 0;  // 0: the engine's default
  std::size_t threads_per_run = 0;
  std::string xgrad;  // empty: this program
  std::vector<std::string> sbatch_options;
  bool save_parameters = false;
  std::vector<std::string> train_arguments;

  void declare(CLI::App& command) {
    const std::string what = "Sweep", how = "Output";
    command.add_option("--sweep", sweeps, "A swept train flag and its values, FLAG=VALUES (e.g. lambd=0,0.3,0.7, "
                                          "lr=log:1e-3:1e-1:8); repeat for a grid of every combination.")
        ->type_name("FLAG=VALUES")->allow_extra_args(false)->group(what);
    command.add_option("--spec", spec_file, "Read the sweep from a JSON file instead (docs/sweeps.md): fixed flags, "
                                            "swept flags, or several parts each a grid of its own.")
        ->type_name("FILE")->check(file_name())->group(what);
    command.add_option("--name", name, "A prefix of the run folders' names (with --sweep).")
        ->type_name("NAME")->group(what);
    command.add_option("--seed", seed, "Seed of the rand: and randlog: draws (numpy's RandomState; default 0).")
        ->type_name("K")->check(seed_number())->group(what);
    command.add_option("--out", out, "The sweep's folder: sweep.json, runs/NAME/ per run.")
        ->type_name("DIR")->required()
        ->check(checked_by([](const std::string& f) { check_output_folder(f); }))->group(how);
    command.add_option("--format", format, "list: one shell line per run still to run, for GNU parallel "
                                           "(xgrad sweep ... | parallel -j 2, or with --sshlogin on a shared folder; "
                                           "the default); slurm: a job-array script for sbatch (also written to "
                                           "OUT/slurm.sh).")
        ->type_name("FORMAT")->check(one_of({"list", "slurm"}))->group(how);
    CLI::Option* run_flag =
        command.add_flag("--run", run, "Run the runs here through GNU parallel (the Debian package 'parallel'), "
                                       "--jobs at a time; exit status 1 when a run failed.")
            ->disable_flag_override()->group(how);
    command.add_option("--jobs", jobs, "Runs at a time: with --run, parallel's --jobs (default: one per CPU); with "
                                       "--format slurm, the array's %N limit (default: none).")
        ->type_name("N")->check(whole_number(1, 100000))->group(how);
    command.add_option("--threads-per-run", threads_per_run, "Give each run 'xgrad --threads N' (default: xgrad's).")
        ->type_name("N")->check(whole_number(1, 4096))->group(how);
    command.add_option("--xgrad", xgrad, "The xgrad program the lines call (default: this one's full path; give "
                                         "'xgrad' for the one on PATH of each machine).")
        ->type_name("PROGRAM")->check(file_name())->group(how);
    command.add_option("--sbatch", sbatch_options, "An option for the Slurm script's #SBATCH lines, e.g. "
                                                   "--sbatch=--time=10 --sbatch=--partition=cpu (repeatable).")
        ->type_name("OPTION")->allow_extra_args(false)->group(how);
    command.add_flag("--save-parameters", save_parameters, "Each run also saves its trained parameters to its "
                                                           "folder (train --save parameters.npz).")
        ->disable_flag_override()->group(how);
    command.add_option("train-flags", train_arguments, "After '--': train flags every run shares.")
        ->type_name("")->group(what);
    run_flag->excludes(command.get_option("--format"));
    command.get_help_ptr()->group(how);
  }
};

// A word as the shell reads it back: as it is when plain, else in single quotes.
std::string shell_quote(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::strchr("_./=:,+-@%", c) != nullptr;
  });
  if (plain) return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The flags the sweep sets on every run itself.
const std::set<std::string> sweep_owned_flags = {"json", "save", "plots", "help", "h"};

void refuse_owned(const std::string& flag, const std::string& where) {
  if (sweep_owned_flags.count(flag) == 0) return;
  throw InputError(where + ": --" + flag + " is set by xgrad sweep (each run's report.json" +
                   std::string(flag == "save" ? "; for parameters give --save-parameters" : "") +
                   " goes into its run folder)");
}

// Checks a run's train arguments as `xgrad train` would parse them, so that a bad flag or
// value is reported now, naming the run, not by every run later.
void check_with_train_parser(const SweepRun& run, const std::vector<std::string>& common) {
  CLI::App program("", "xgrad");
  const CommandRun train = add_train_command(program, nullptr);  // owns the settings the flags are bound to
  std::vector<std::string> args = {"train"};
  args.insert(args.end(), common.begin(), common.end());
  args.insert(args.end(), run.train_arguments.begin(), run.train_arguments.end());
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector last argument first
  try {
    program.parse(args);
  } catch (const CLI::ParseError& e) {
    throw InputError("run " + run.name + ": xgrad train refuses its flags: " + e.what());
  }
}

SweepSpec spec_of(const SweepSettings& settings) {
  if (!settings.spec_file.empty() && !settings.sweeps.empty()) {
    throw InputError("--spec and --sweep: give the sweep one way (put the --sweep axes in the file's \"sweep\")");
  }
  if (!settings.spec_file.empty()) {
    if (!settings.name.empty()) throw InputError("--name applies to --sweep (in a --spec file give \"name\")");
    return read_sweep_file(settings.spec_file);
  }
  if (settings.sweeps.empty()) throw InputError("give the sweep: --sweep FLAG=VALUES (repeatable) or --spec FILE");
  return spec_from_flags(settings.sweeps, settings.name, settings.seed);
}

std::vector<AxisInfo> axes_of(const SweepSpec& spec) {
  std::vector<AxisInfo> axes;
  for (const SweepPart& part : spec.parts) {
    for (const SweepAxis& a : part.axes) {
      auto found = std::find_if(axes.begin(), axes.end(), [&](const AxisInfo& i) { return i.flag == a.flag; });
      if (found == axes.end()) {
        axes.push_back({a.flag, a.log_scale, a.random});
      } else {
        found->log_scale = found->log_scale || a.log_scale;
        found->random = found->random || a.random;
      }
    }
  }
  return axes;
}

std::string program_path(const SweepSettings& settings) {
  if (!settings.xgrad.empty()) return settings.xgrad;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw RunError("cannot find this program's path (/proc/self/exe): " + ec.message() + "; give --xgrad");
  return self.string();
}

// The shell line of one run.
std::string command_line(const std::string& program, const SweepSettings& settings, const std::vector<std::string>& arguments,
                         const fs::path& folder) {
  std::string line = shell_quote(program);
  if (settings.threads_per_run > 0) line += " --threads " + std::to_string(settings.threads_per_run);
  line += " train";
  for (const std::string& a : arguments) line += " " + shell_quote(a);
  line += " --json " + shell_quote((folder / report_file_name).string());
  if (settings.save_parameters) line += " --save " + shell_quote((folder / "parameters.npz").string());
  line += " > " + shell_quote((folder / log_file_name).string()) + " 2> " + shell_quote((folder / error_file_name).string());
  return line;
}

// Slurm's --array list of indices, runs of consecutive ones as A-B.
std::string array_list(const std::vector<std::size_t>& indices) {
  std::string list;
  for (std::size_t i = 0; i < indices.size();) {
    std::size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    list += (list.empty() ? "" : ",") + std::to_string(indices[i]) + (j > i ? "-" + std::to_string(indices[j]) : "");
    i = j + 1;
  }
  return list;
}

std::string slurm_script(const SweepSettings& settings, const fs::path& out, const std::vector<RecordedRun>& runs,
                         const std::vector<std::size_t>& pending) {
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# xgrad sweep: " << runs.size() << " runs of xgrad train as a Slurm job array (" << pending.size()
    << " still to run). Submit with: sbatch " << shell_quote((out / "slurm.sh").string()) << "\n"
    << "# Task i runs line i of the runs below; xgrad report " << shell_quote(out.string()) << " reads the results.\n"
    << "#SBATCH --job-name=xgrad-sweep\n"
    << "#SBATCH --array=" << array_list(pending) << (settings.jobs > 0 ? "%" + std::to_string(settings.jobs) : "") << "\n"
    << "#SBATCH --chdir=" << fs::current_path().string() << "\n"
    << "#SBATCH --output=" << (out / "slurm" / "%A_%a.out").string() << "\n"
    << "#SBATCH --ntasks=1\n"
    << "#SBATCH --cpus-per-task=" << std::max<std::size_t>(settings.threads_per_run, 1) << "\n";
  for (const std::string& option : settings.sbatch_options) s << "#SBATCH " << option << "\n";
  s << "set -u\nruns=(\n";
  for (const RecordedRun& run : runs) s << "  " << shell_quote(run.command) << "\n";
  s << ")\n"
    << "task=${SLURM_ARRAY_TASK_ID:?this script runs as a Slurm array task (sbatch), or with SLURM_ARRAY_TASK_ID set}\n"
    << "if ! [[ $task =~ ^[0-9]+$ ]] || (( task >= ${#runs[@]} )); then\n"
    << "  echo \"xgrad sweep: no run $task (the runs are 0 to $(( ${#runs[@]} - 1 )))\" >&2\n  exit 2\nfi\n"
    << "eval \"${runs[$task]}\"\n";
  return s.str();
}

// The GNU parallel found on PATH; InputError when there is none or it is another program
// named parallel (moreutils').
fs::path gnu_parallel() {
  const std::optional<fs::path> found = find_program("parallel");
  if (!found) {
    throw InputError("--run: GNU parallel is not installed (Debian package 'parallel'); without it, print the runs "
                     "and start them your way: xgrad sweep ... without --run prints one command line per run");
  }
  const std::optional<std::string> version = program_output(*found, {"--version"});
  if (!version || version->find("GNU parallel") == std::string::npos) {
    throw InputError("--run: " + found->string() + " is not GNU parallel (moreutils' parallel?); install the Debian "
                     "package 'parallel'");
  }
  return *found;
}

// Runs GNU parallel over the lines in `list`; returns its exit status (the number of failed
// runs, capped at 101) or throws RunError when it could not run.
int run_parallel(const fs::path& parallel, const fs::path& list, const fs::path& joblog, std::size_t jobs) {
  std::vector<std::string> args = {parallel.string(), "--will-cite", "--joblog", joblog.string()};
  if (jobs > 0) {
    args.push_back("--jobs");
    args.push_back(std::to_string(jobs));
  }
  args.push_back("--arg-file");
  args.push_back(list.string());
  std::cout.flush();
  const pid_t pid = ::fork();
  if (pid < 0) throw RunError(std::string("--run: cannot start GNU parallel: ") + std::strerror(errno));
  if (pid == 0) {
    ::setenv("PARALLEL_SHELL", "/bin/sh", 1);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) throw RunError("--run: GNU parallel ended by signal " + std::to_string(WTERMSIG(status)));
  if (WEXITSTATUS(status) == 127) throw RunError("--run: cannot run " + parallel.string());
  return WEXITSTATUS(status);
}

// Runs of a previous `xgrad sweep` into the same folder: each one kept, but a run of the same
// name must have the same train arguments (else the folder holds results of other settings).
std::vector<RecordedRun> merged_with_previous(const fs::path& out, std::vector<RecordedRun> runs,
                                              std::vector<AxisInfo>& axes) {
  std::optional<RecordedSweep> previous;
  try {
    previous = read_recorded_sweep(out);
  } catch (const InputError& e) {
    throw InputError("--out " + out.string() + ": holds a sweep.json that is not xgrad sweep's: " + e.what());
  }
  if (!previous) return runs;
  std::map<std::string, const RecordedRun*> now;
  for (const RecordedRun& r : runs) now[r.name] = &r;
  for (const RecordedRun& old : previous->runs) {
    const auto found = now.find(old.name);
    if (found == now.end()) {
      runs.push_back(old);  // a run of an earlier spec: kept in the report
      continue;
    }
    if (found->second->arguments != old.arguments) {
      std::string before, after;
      for (const std::string& a : old.arguments) before += " " + shell_quote(a);
      for (const std::string& a : found->second->arguments) after += " " + shell_quote(a);
      throw InputError("--out " + out.string() + ": run " + old.name + " was set up before with other train flags (" +
                       before.substr(std::min<std::size_t>(1, before.size())) + "; now " +
                       after.substr(std::min<std::size_t>(1, after.size())) +
                       "): give another --out, or remove the folder to start over");
    }
  }
  for (const AxisInfo& a : previous->axes) {
    if (std::none_of(axes.begin(), axes.end(), [&](const AxisInfo& b) { return b.flag == a.flag; })) axes.push_back(a);
  }
  return runs;
}

int run_sweep(const SweepSettings& settings) {
  const SweepSpec spec = spec_of(settings);
  const std::vector<SweepRun> runs = expand(spec);
  for (std::size_t i = 0; i < settings.train_arguments.size(); ++i) {
    const std::string& a = settings.train_arguments[i];
    if (a.rfind("--", 0) != 0) continue;
    const std::string flag = a.substr(2, a.find('=') == std::string::npos ? std::string::npos : a.find('=') - 2);
    refuse_owned(flag, "the train flags after '--'");
    for (const SweepPart& part : spec.parts) {
      for (const Setting& s : part.fixed) {
        if (s.first == flag) throw InputError("--" + flag + " is given after '--' and in the spec's fixed flags");
      }
      for (const SweepAxis& axis : part.axes) {
        if (axis.flag == flag) throw InputError("--" + flag + " is given after '--' and swept (--sweep " + flag + "=...)");
      }
    }
  }
  for (const Setting& s : spec.fixed) refuse_owned(s.first, "the spec's fixed flags");
  for (const SweepPart& part : spec.parts) {
    for (const Setting& s : part.fixed) refuse_owned(s.first, "the spec's fixed flags");
    for (const SweepAxis& a : part.axes) refuse_owned(a.flag, "--sweep " + a.flag);
  }
  for (const SweepRun& run : runs) check_with_train_parser(run, settings.train_arguments);
  if (settings.format == "slurm" && runs.size() > 1001) {
    std::cerr << "xgrad sweep: note: " << runs.size() << " runs: Slurm's default MaxArraySize is 1001 (indices 0 to "
              << "1000); ask for a larger one or split the sweep\n";
  }

  const fs::path out = fs::absolute(settings.out).lexically_normal();
  const std::string program = program_path(settings);
  std::vector<RecordedRun> recorded;
  for (const SweepRun& run : runs) {
    std::vector<std::string> arguments = settings.train_arguments;
    arguments.insert(arguments.end(), run.train_arguments.begin(), run.train_arguments.end());
    const std::string line = command_line(program, settings, arguments, run_folder(out, run.name));
    recorded.push_back({run.name, run.settings, arguments, line});
  }
  std::vector<AxisInfo> axes = axes_of(spec);
  recorded = merged_with_previous(out, std::move(recorded), axes);

  make_output_folder("--out", out);
  make_output_folder("--out", out / "runs");
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < recorded.size(); ++i) {
    const fs::path folder = run_folder(out, recorded[i].name);
    make_output_folder("--out", folder);
    write_file_atomically(folder / run_file_name, run_json(recorded[i]));
    if (!has_finished_report(folder)) pending.push_back(i);
  }
  write_file_atomically(out / sweep_file_name, sweep_json({version(), axes, recorded}));
  std::cerr << "xgrad sweep: " << recorded.size() << " runs in " << out.string() << ": "
            << recorded.size() - pending.size() << " finished (skipped), " << pending.size() << " to run\n";

  if (settings.format == "slurm") {
    make_output_folder("--out", out / "slurm");  // Slurm does not create the output folder
    if (pending.empty()) {
      std::cerr << "xgrad sweep: every run has finished: no Slurm script (xgrad report " << out.string() << ")\n";
      return 0;
    }
    const std::string script = slurm_script(settings, out, recorded, pending);
    write_file_atomically(out / "slurm.sh", script);
    std::cout << script;
    return 0;
  }
  std::string list;
  for (std::size_t i : pending) list += recorded[i].command + "\n";
  if (!settings.run) {
    std::cout << list;
    return 0;
  }
  if (pending.empty()) return 0;
  const fs::path parallel = gnu_parallel();
  write_file_atomically(out / "pending.txt", list);
  run_parallel(parallel, out / "pending.txt", out / "parallel.log", settings.jobs);
  std::size_t failed = 0;
  for (std::size_t i : pending) {
    const fs::path folder = run_folder(out, recorded[i].name);
    if (has_finished_report(folder)) continue;
    ++failed;
    std::cout << "failed: " << recorded[i].name << ": "
              << run_error(folder).value_or("no report and no error (killed?); see " +
                                            (folder / log_file_name).string())
              << '\n';
  }
  std::cout << "ran " << pending.size() << " runs through GNU parallel: " << pending.size() - failed << " finished, "
            << failed << " failed; the table: xgrad report " << shell_quote(out.string()) << '\n';
  return failed == 0 ? 0 : 1;
}

}  // namespace

CommandRun add_sweep_command(CLI::App& program) {
  auto settings = std::make_shared<SweepSettings>();
  CLI::App* command = program.add_subcommand("sweep", description);
  command->footer(examples);
  settings->declare(*command);
  return [settings] { return run_sweep(*settings); };
}

}  // namespace xgrad::cli
