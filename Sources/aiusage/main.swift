import AIUsageCommands
AIUsageEntryPoint.main()
