import { contactsById, type NoticeContext, type Organisation } from '@hotline/core';
import {
  loadNotificationSettings,
  loadOrganisation,
  type AppConfig,
  type HandlingRules,
  type NotificationSettings,
} from '@hotline/platform';

export const NOTIFIER_CONTEXT = Symbol('NOTIFIER_CONTEXT');

/** What the notifier reads once at start: organisation, routing, templates, channel secrets. */
export interface NotifierContext {
  organisation: Organisation;
  settings: NotificationSettings;
  notices: NoticeContext;
}

export function loadNotifierContext(config: AppConfig, rules: HandlingRules): NotifierContext {
  const organisation = loadOrganisation(config.files.organisation);
  const settings = loadNotificationSettings(organisation, config.notifier.templatesFile);
  return {
    organisation,
    settings,
    notices: {
      routing: settings.routing,
      templates: settings.templates,
      contacts: contactsById(organisation),
      enabledChannels: new Set(settings.enabled.keys()),
      timeZone: config.timeZone,
      calendar: rules.calendar,
    },
  };
}
