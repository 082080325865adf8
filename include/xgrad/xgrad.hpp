/// @file
/// The whole public API in one include: the graph and node contract, the built-in nodes, the
/// gradient checker, declarative models and training, the file readers and writers, and the
/// numpy-exact random numbers, and data-parallel training when built with MPI. Link with libxgrad (pkg-config / Meson: dependency('xgrad')).
///
///     #include <xgrad/xgrad.hpp>
///
/// Each header below can also be included on its own. Besides xgrad's own headers it brings
/// in what building a Matrix by hand needs: xt::adapt (a Matrix from a buffer or a
/// std::vector) and xt::view (rows, columns, ranges of one).
#pragma once

#include <xgrad/version.hpp>

#include <xtensor/xadapt.hpp>
#include <xtensor/xview.hpp>

#include <xgrad/core/dataset.hpp>
#include <xgrad/core/error.hpp>
#include <xgrad/core/format.hpp>
#include <xgrad/core/graph.hpp>
#include <xgrad/core/input.hpp>
#include <xgrad/core/node.hpp>
#include <xgrad/core/non_finite.hpp>
#include <xgrad/core/parameter.hpp>
#include <xgrad/core/random_stream.hpp>
#include <xgrad/core/tensor.hpp>
#include <xgrad/core/threads.hpp>

#include <xgrad/nodes/all.hpp>

#include <xgrad/check/gradcheck.hpp>
#include <xgrad/check/training_step.hpp>

#include <xgrad/train/activation.hpp>
#include <xgrad/train/activation_registry.hpp>
#include <xgrad/train/adam.hpp>
#include <xgrad/train/checkpoint.hpp>
#include <xgrad/train/evaluate.hpp>
#include <xgrad/train/init.hpp>
#include <xgrad/train/minibatch.hpp>
#include <xgrad/train/model.hpp>
#include <xgrad/train/momentum.hpp>
#include <xgrad/train/non_finite.hpp>
#include <xgrad/train/optimizer.hpp>
#include <xgrad/train/run_checkpoint.hpp>
#include <xgrad/train/schedule.hpp>
#include <xgrad/train/train.hpp>
#include <xgrad/train/trainer.hpp>
#include <xgrad/train/training_passes.hpp>

#include <xgrad/io/atomic_file.hpp>
#include <xgrad/io/csv.hpp>
#include <xgrad/io/json_report.hpp>
#include <xgrad/io/load_dataset.hpp>
#include <xgrad/io/mat_file.hpp>
#include <xgrad/io/npy.hpp>
#include <xgrad/io/npz.hpp>

#include <xgrad/numpy/circles.hpp>
#include <xgrad/numpy/random.hpp>

#include <xgrad/parallel/available.hpp>
#include <xgrad/parallel/column_share.hpp>
#if XGRAD_HAS_MPI
#include <xgrad/parallel/data_parallel.hpp>
#include <xgrad/parallel/processes.hpp>
#endif
