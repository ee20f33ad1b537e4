// Each harness is one long loop; two run at once on two cores.
[assembly: Parallelize(Scope = ExecutionScope.MethodLevel, Workers = 2)]
