"""The examples each ``fcnet COMMAND --help`` ends with."""

from __future__ import annotations


EXAMPLES = {
    "train": """examples:
  fcnet train                                   # digits, a [100] ReLU network, Adam, 30 epochs
  fcnet train --dataset fashion-mnist --hidden 512 256 --normalization batchnorm --dropout 0.2 --epochs 20
  fcnet train --optimizer sgd_momentum --lr 0.01 --momentum 0.9 --schedule cosine --out runs/sgd
  fcnet train --config my_run.json              # the keys of config.json in any run directory""",
    "evaluate": """examples:
  fcnet evaluate runs/train-20261122-101500     # the run's dataset, test split
  fcnet evaluate model.npz --dataset fashion-mnist --split val""",
    "predict": """examples:
  fcnet predict runs/my-run/model.npz samples.npy
  fcnet predict runs/my-run digit.png --top 3""",
    "compare-optimizers": """examples:
  fcnet compare-optimizers                      # the seven rules on digits, at the MNIST MLP homework's learning rates
  fcnet compare-optimizers --dataset fashion-mnist --limit 10000 --epochs 5 --rules sgd adam adabelief""",
    "search": """examples:
  fcnet search --trials 20 --jobs 2             # random search on digits: log-uniform lr and reg
  fcnet search --mode grid --lr 1e-3 3e-3 --reg 0 1e-4 --hidden 100 --hidden 200,100
  fcnet search --out runs/search                # run again to resume an interrupted search
  fcnet search --pruner median --trials 40 --jobs 2
  fcnet search --storage postgresql://fcnet:PASSWORD@db-host/fcnet --study fashion --dataset fashion-mnist \\
               --trials 40 --out runs/fashion   # creates (or joins) the study; workers elsewhere help""",
    "search-worker": """examples:
  fcnet search-worker --storage postgresql://fcnet:PASSWORD@db-host/fcnet --study fashion
  # on every machine that should help; a SLURM array: srun fcnet search-worker --storage ... --study ...""",
    "info": """examples:
  fcnet info runs/my-run                        # architecture, parameters per layer, training summary""",
    "export": """examples:
  fcnet export runs/my-run --out model.onnx                     # then: fcnet evaluate model.onnx --dataset digits
  fcnet export runs/my-run --format torch --out model.pt2       # torch.export.load("model.pt2").module()
  fcnet export runs/my-run --format safetensors --out model.safetensors""",
    "check": """examples:
  fcnet check assignment2                       # the folder that holds cs231n/ (layers.py, optim.py)
  fcnet check assignment2/cs231n/layers.py      # one file's functions
  fcnet check assignment2 --function affine_backward --verbose
  fcnet check assignment2 --json                # one JSON object: course, functions, score, max_score""",
    "grade": """examples:
  fcnet grade submissions/* --course cs231n --out grades      # gradebook.csv and one JSON per submission
  fcnet grade --print-rubric --course cs231n > rubric.toml    # the default rubric, to edit
  fcnet grade submissions/* --course cs231n --rubric rubric.toml --jobs 2
  fcnet grade --gradescope --course cs231n      # in Gradescope's container: /autograder/submission -> results.json
  fcnet grade make-autograder --course cs231n --out autograder.zip""",
    "diagnose": """examples:
  fcnet diagnose runs/my-run                    # the findings: kind, where, evidence, what to try
  fcnet diagnose runs/my-run --json""",
    "lr-find": """examples:
  fcnet lr-find --optimizer adam                # digits, a [100] network: loss against rate, a suggestion
  fcnet lr-find --dataset fashion-mnist --hidden 512 256 --optimizer sgd_momentum --out lr.png""",
    "report": """examples:
  fcnet report runs/my-run                      # runs/my-run/report.html, one file, opens offline""",
    "gradcheck": """examples:
  fcnet gradcheck --hidden 20 30 --normalization batchnorm --reg 3.14
  fcnet gradcheck --activation tanh --dropout 0.3""",
}
