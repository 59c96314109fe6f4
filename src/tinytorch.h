// The one header users include: tensors, ops, autograd, nn, optim, data, io, text, training.
#pragma once
#include <iostream>

#include "autograd/autograd.h"
#include "core/allocator.h"
#include "core/generator.h"
#include "core/parallel.h"
#include "core/tensor.h"
#include "data/dataset.h"
#include "data/text_corpus.h"
#include "io/checkpoint.h"
#include "io/tensor_io.h"
#include "nn/nn.h"
#include "ops/ops.h"
#include "optim/lr_scheduler.h"
#include "optim/optimizer.h"
#include "text/bpe_tokenizer.h"
#include "text/char_tokenizer.h"
#include "train/lm_trainer.h"
#include "train/trainer.h"
