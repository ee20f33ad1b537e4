// Tests in a class run in parallel with other classes; each test owns its files and writers.
[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 2)]
