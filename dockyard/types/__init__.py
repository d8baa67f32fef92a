"""flytekit's `flytekit.types` import paths (file, directory, structured, pickle), re-exported from the SDK.

The subpackages import nothing heavy: pandas and pyarrow load only when a data frame is written or read.
"""
