// Each test starts the whole system (emulator + five services), and one runs a browser: one at a time on a 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
