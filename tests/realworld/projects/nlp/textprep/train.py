"""Train a small BPE tokenizer on every `.txt` file of a folder: `python -m textprep.train CORPUS OUT`."""

import sys
from pathlib import Path

from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from textprep.clean import clean


def main(corpus: str, out: str) -> None:
    lines = [
        clean(line) for path in sorted(Path(corpus).glob("*.txt")) for line in path.read_text().splitlines()
    ]
    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["[UNK]", "[PAD]"])
    tokenizer.train_from_iterator([line for line in lines if line], trainer=trainer)
    tokenizer.save(out)
    print(f"trained on {len(lines)} lines: {tokenizer.get_vocab_size()} tokens -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
