// Each test class starts the whole system (emulator + five services); one at a time keeps a 2-core machine from
// starving the asynchronous flows the tests wait for.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
