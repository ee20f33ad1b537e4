// Tests in a class run in parallel with other classes; each test owns its data.
[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 2)]
