/// @file
/// Data-parallel training over MPI with the bits of one process, whatever the number of
/// processes (docs/distributed.md).
///
/// Each process holds a contiguous share of the data set's columns (DataShare). A step's batch
/// is cut into the column tiles a single process's Graph::forward_backward would use; each
/// process runs the tiles whose columns it holds and the processes exchange the tiles' sums
/// (parameter gradients and loss shares, MPI_Allgatherv), which every process adds in tile
/// order as the single process does (Graph::forward_backward_share). So every process takes
/// the same step, and 1, 2, 3 ... processes give the costs and parameters of
/// xgrad::train(...) on one process fed the whole data set, bit for bit, with any number of
/// threads each (on machines whose OpenBLAS kernels agree; DESIGN.md).
///
/// Full batch: the shares must be column_share(m, graph.tile_columns(), rank, processes)
/// (whole tiles; take_share(whole, column_share(...)) gives them); every step runs on them without moving data. Mini-
/// batches: any contiguous shares in rank order; every process shuffles alike (epoch e uses
/// RandomState(shuffle_seed + e), as MiniBatches), the holders of a batch's columns send them
/// to every process (MPI_Allgatherv: batch x (features + labels) doubles), and the batch's
/// tiles are split as column_share splits a data set. A batch of one tile (at most
/// tile_columns() columns), or any batch of a graph that cannot be tiled (dropout), is run by
/// process 0 alone, which sends the gradients and the cost to the others: the same bits, no
/// speed-up.
///
/// Every function here is collective: every process calls it, in the same order. An exception
/// on one process (a node that throws, a bad file) leaves the others waiting in the next
/// collective: run the work inside run_processes (processes.hpp), which ends the whole job
/// then. Errors found alike on every process (shares, settings, a non-finite cost) are
/// CollectiveError, thrown everywhere at once.
///
/// Built only with MPI (XGRAD_HAS_MPI, <xgrad/parallel/available.hpp>); see processes.hpp.
#pragma once

#include <xgrad/version.hpp>  // first: stops a pre-C++20 build with one clear message

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <xgrad/core/dataset.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/parallel/column_share.hpp>
#include <xgrad/parallel/processes.hpp>
#include <xgrad/train/model.hpp>
#include <xgrad/train/optimizer.hpp>
#include <xgrad/train/train.hpp>
#include <xgrad/train/training_passes.hpp>

namespace xgrad::parallel {

/// This process's columns of a data set that the processes share.
struct DataShare {
  Dataset data;              ///< this process's columns (X and Y with data.examples() columns; may be 0)
  std::size_t first = 0;     ///< the index of data's first column in the whole data set
  std::size_t examples = 0;  ///< m: the columns of the whole data set
};

/// Columns share.first .. share.first + share.count - 1 of `whole` (a copy), as a DataShare
/// of whole.examples() columns. InputError when the share is outside the data set.
DataShare take_share(const Dataset& whole, const ColumnShare& share);

/// Rank 0's parameter values on every process (Processes::broadcast); the shapes must agree
/// (checked: CollectiveError naming the parameter).
void broadcast_parameters(const Processes& processes, Graph& graph);

/// What a data-parallel run requires to be the same on every process, as one line: the
/// graph's parameters (names and shapes), its tile width, the whole data set's size and the
/// options (require_same_settings compares it; the CLI adds its flags).
std::string run_settings(Graph& graph, std::size_t examples, const TrainOptions& options, const Optimizer& optimizer);

/// Where one process's columns lie in a set of columns the processes share.
struct ShareSpan {
  std::size_t first = 0;     ///< the index of its first column in the whole set
  std::size_t examples = 0;  ///< m: the columns of the whole set (0: no such set)
};

/// The passes of a data-parallel Trainer (TrainerOptions::passes): give them to a Trainer on
/// every process, with this process's training columns as the training set and its
/// validation columns (if any) as Validation::data, and the Trainer (its schedule,
/// validation, early stopping, callbacks, checkpoints, resume) gives on every process the
/// bits of the single-process Trainer on the whole sets. `train`: where the training columns
/// lie (as for parallel::train: full batch, column_share's whole tiles of the graph's
/// tile_columns(); mini-batches, any contiguous shares in rank order); `validation`: where
/// the validation columns lie, column_share(m, evaluation_tile_columns(model), rank, size)
/// (checked at each validation: CollectiveError). The Trainer's constructor (TrainingPasses::
/// start) checks the shares and the settings across processes and sets every process's
/// parameters to rank 0's (collective: CollectiveError naming the process). Every process
/// must run the Trainer alike (the same run() calls); let rank 0 alone print (options.log,
/// progress) and write checkpoints. Keeps a reference to `processes`.
std::shared_ptr<TrainingPasses> shared_passes(const Processes& processes, ShareSpan train, ShareSpan validation = {});

/// Trains as xgrad::train(trainable, whole data set, options, optimizer) does on one process
/// (full batch or mini-batches, the learning-rate decay, recorded costs), every process with
/// its share, and returns the same TrainResult on every process. Call it on every process.
/// Before the first step: checks the shares (contiguous, in rank order, covering the m
/// columns; for full batch the column_share ones) and run_settings agree
/// (CollectiveError naming the process otherwise), sets every process's parameters to rank
/// 0's, starts the optimizer; with options.check_first_step, each process checks the first
/// step on its own columns (check_training_step). Only rank 0 writes options.log and calls
/// options.progress. A non-finite cost with stop_on_non_finite is a CollectiveError.
/// Bytes handed to MPI: processes.bytes_sent().
TrainResult train(const Processes& processes, Trainable trainable, const DataShare& share,
                  const TrainOptions& options, Optimizer& optimizer);
/// The same on a Model's graph (the share's data checked against the model first).
TrainResult train(const Processes& processes, Model& model, const DataShare& share, const TrainOptions& options,
                  Optimizer& optimizer);

/// The full-batch pass parallel::train runs at each iteration, for a loop of the caller's own
/// (a benchmark, an optimizer of its own): every process gets the loss and gradients that
/// Graph::forward_backward gives on one process fed the whole data set, bit for bit.
class SharedFullBatch {
 public:
  /// Checks the shares as train does (the column_share ones; CollectiveError otherwise), sets
  /// every process's parameters to rank 0's and feeds this process's share. Keeps references
  /// to `processes` and the graph, which must outlive it. Collective.
  SharedFullBatch(const Processes& processes, Trainable trainable, const DataShare& share);
  ~SharedFullBatch();
  SharedFullBatch(const SharedFullBatch&) = delete;
  SharedFullBatch& operator=(const SharedFullBatch&) = delete;
  /// One pass: the loss, and every parameter's grad, the same on every process (the graph's
  /// forward_backward_share; or rank 0's forward_backward sent to all when the data set is
  /// one tile). Call it on every process; the parameters must stay equal across processes.
  double forward_backward();

 private:
  struct Shared;  ///< the exchange and rank 0's pass (lib/parallel/data_parallel.cpp)
  Graph& graph_;
  std::unique_ptr<Shared> shared_;
  bool tiled_ = false;
};

/// The fraction of entries where predictions == labels over every process's columns (each
/// process passes its own; counts summed exactly). InputError when shapes differ.
double accuracy(const Processes& processes, const Matrix& predictions, const Matrix& labels);

}  // namespace xgrad::parallel
