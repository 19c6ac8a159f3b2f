// Each test starts the whole system (emulator + five services); running them one at a time keeps a 2-core machine
// from starving the asynchronous flows the tests wait for.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
